"""An outsider (a worker of another street's grid) gets the same refusal, 404, through a page,
the API and a direct service call; a call that names no actor is refused as well."""

import pytest

from grids.access import SYSTEM
from hlgrid.errors import NotFound
from petitions import services
from petitions.models import Petition, PetitionEvent, Status, Whistle, WhistleStatus
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db


def test_an_outsider_gets_404_for_a_petition_through_the_page_the_api_and_the_service(
    client, api_client, city, people, team
):
    petition = report(category=team.category)

    client.force_login(people.outsider)
    assert client.get(f"/petitions/{petition.pk}/").status_code == 404
    assert client.post(f"/petitions/{petition.pk}/act/verify/").status_code == 404

    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/petitions/{petition.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/petitions/{petition.pk}/verify/").status_code == 404

    with pytest.raises(NotFound):
        services.petition_verify(actor=people.outsider, petition=petition)
    with pytest.raises(NotFound):
        services.petition_reveal_contact(actor=people.outsider, petition=petition)

    assert Petition.objects.get(pk=petition.pk).status == Status.RECEIVED
    assert list(PetitionEvent.objects.filter(petition=petition).values_list("action", flat=True)) == [
        "intake"
    ]


def test_an_outsider_gets_404_for_a_whistle_through_the_page_the_api_and_the_service(
    client, api_client, city, people, team
):
    whistle = services.whistle_blow(
        actor=people.official, street=city.street_a, title="联合整治", departments=[team.department]
    )

    client.force_login(people.outsider)
    assert client.get(f"/petitions/whistles/{whistle.pk}/").status_code == 404
    assert client.post(f"/petitions/whistles/{whistle.pk}/").status_code == 404

    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/whistles/{whistle.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/whistles/{whistle.pk}/close/").status_code == 404

    with pytest.raises(NotFound):
        services.whistle_close(actor=people.outsider, whistle=whistle)
    with pytest.raises(NotFound):
        services.checkin_record(actor=people.outsider, checkin=whistle.checkins.get())
    with pytest.raises(NotFound):
        services.whistle_blow(
            actor=people.outsider, street=city.street_a, title="x", departments=[team.department]
        )

    assert Whistle.objects.get(pk=whistle.pk).status == WhistleStatus.OPEN


def test_a_service_called_without_an_actor_refuses_and_system_is_recorded_as_nobody(city, people, team):
    petition = report(category=team.category)
    with pytest.raises(NotFound):
        services.petition_verify(actor=None, petition=petition)
    with pytest.raises(NotFound):
        services.petition_intake(actor=None, source="HOTLINE", description="电话反映", grid=city.grid_a1)
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=None)
    with pytest.raises(NotFound):
        services.notifications_send_email(actor=people.worker)
    assert Petition.objects.get(pk=petition.pk).status == Status.RECEIVED

    verified = services.petition_verify(actor=SYSTEM, petition=petition)
    assert verified.status == Status.VERIFIED
    assert verified.events.get(action="verify").actor is None
