"""A visit that found a problem becomes a draft petition the worker completes and submits."""

import pytest

from petitions.models import Petition, Source, Status
from residents import services as residents_services
from tests.residents.factories import household

pytestmark = pytest.mark.django_db


def test_a_visit_with_a_problem_opens_a_draft_the_worker_submits_with_a_category(client, city, people, team):
    visit = residents_services.visit_log(
        actor=people.worker,
        household=household(city.grid_a1),
        latitude=42.505,
        longitude=129.01,
        problem_found=True,
        problem_description="楼下垃圾堆放多日无人清运",
    )
    client.force_login(people.worker)
    page = client.get(f"/petitions/from-visit/{visit.pk}/")
    assert page.status_code == 200
    draft = Petition.objects.get(visit_id=visit.pk)
    assert (draft.status, draft.source, draft.grid, draft.assignee) == (
        Status.DRAFT,
        Source.VISIT,
        city.grid_a1,
        people.worker,
    )
    assert draft.category == team.category  # suggested from the description
    assert client.get(f"/petitions/from-visit/{visit.pk}/").status_code == 200
    assert Petition.objects.filter(visit_id=visit.pk).count() == 1  # opened again, not created twice
    response = client.post(
        f"/petitions/from-visit/{visit.pk}/",
        {"description": "楼下垃圾堆放多日无人清运", "category": team.category.pk},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.RECEIVED and draft.due_at and draft.received_at
    assert client.get(f"/petitions/from-visit/{visit.pk}/")["Location"] == f"/petitions/{draft.pk}/"


def test_a_visit_outside_the_scope_is_404(client, city, people, team):
    visit = residents_services.visit_log(
        actor=people.worker,
        household=household(city.grid_a1),
        problem_found=True,
        problem_description="问题",
    )
    client.force_login(people.outsider)
    assert client.get(f"/petitions/from-visit/{visit.pk}/").status_code == 404
    assert not Petition.objects.exists()
