import pytest

from evaluation import services
from tests.evaluation import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_published_periods_admin_is_read_only(world, admin_client):
    period = factories.period(world.assessor)
    inspection = factories.inspect(world.assessor, period, world.worker, 80)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    page = admin_client.get(f"/admin/evaluation/period/{period.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(f"/admin/evaluation/period/{period.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.name != "改名"
    assert (
        admin_client.post(f"/admin/evaluation/period/{period.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert (
        'name="_save"'
        not in admin_client.get(f"/admin/evaluation/inspection/{inspection.pk}/change/").content.decode()
    )
    payment = period.payments.first()
    assert (
        admin_client.post(f"/admin/evaluation/bonuspayment/{payment.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_a_draft_period_is_edited_in_the_admin(world, admin_client):
    period = factories.period(world.assessor, open_it=False)
    page = admin_client.get(f"/admin/evaluation/period/{period.pk}/change/")
    assert 'name="_save"' in page.content.decode()


def test_saving_a_scheme_in_the_admin_records_a_new_version(world, admin_client):
    scheme = factories.scheme()
    for url in (f"/admin/evaluation/scheme/{scheme.pk}/change/", "/admin/evaluation/scheme/"):
        assert admin_client.get(url).status_code == 200
    services.scheme_bump(actor=world.assessor, scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.version == 2
