"""An outsider (a worker of another grid) gets the same refusal, 404, from a page, the API
and a direct service call: the one policy (grids.access) answers all three."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from grids import services
from grids.models import GridNode, Post, PostKind
from hlgrid.errors import NotFound
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_grid_of_another_street_is_404_on_the_page_the_api_and_the_services(people, city):
    page = Client()
    page.force_login(people.outsider)
    assert page.get(reverse("grids:node", args=[city.grid_a1.pk])).status_code == 404

    api = APIClient()
    api.force_authenticate(people.outsider)
    assert api.get(f"/api/v1/grids/{city.grid_a1.pk}/").status_code == 404

    with pytest.raises(NotFound):
        services.gridnode_update(actor=people.outsider, node=city.grid_a1, name="改名")
    with pytest.raises(NotFound):
        services.post_assign(
            actor=people.outsider, user=UserFactory(), kind=PostKind.WORKER, node=city.grid_a1
        )
    with pytest.raises(NotFound):
        services.post_end(actor=people.outsider, post=Post.objects.get(user=people.worker))
    assert GridNode.objects.get(pk=city.grid_a1.pk).name == "甲一网格"
    assert Post.objects.get(user=people.worker).is_active
