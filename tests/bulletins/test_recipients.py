import pytest

from evaluation.models import Notice
from evaluation.recipients import street_recipients, street_secretaries
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_streets_results_go_to_its_party_secretary_and_else_to_its_head(world):
    city = world.city
    head_b = UserFactory(username="p_street_head_b")
    post_assign(actor=SYSTEM, user=head_b, kind=PostKind.HEAD, node=city.street_b)
    assert street_secretaries([city.street_a.pk, city.street_b.pk]) == {city.street_a.pk: world.secretary.pk}
    assert street_recipients([city.street_a.pk, city.street_b.pk]) == {
        city.street_a.pk: world.secretary.pk,
        city.street_b.pk: head_b.pk,
    }


def test_publishing_an_assessment_notifies_the_street_party_secretary_not_the_street_head(world):
    from decimal import Decimal

    from django.utils import timezone

    from evaluation.models import Assessment, Grade
    from evaluation.services.publication import notices_write
    from tests.evaluation import factories

    period = factories.period(SYSTEM)
    Assessment.objects.create(
        period=period,
        worker=world.worker,
        grid=world.city.grid_a1,
        street=world.city.street_a,
        run=1,
        total=Decimal("95.00"),
        grade=Grade.EXCELLENT,
        created_at=timezone.now(),
    )
    notices_write(period, timezone.now())
    recipients = dict(Notice.objects.filter(period=period).values_list("recipient_id", "node_id"))
    assert recipients == {
        world.secretary.pk: world.city.street_a.pk,
        world.gridhead.pk: world.city.grid_a1.pk,
    }
