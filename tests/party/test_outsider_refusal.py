"""An outsider (a grid worker of another street) gets the same refusal, 404, whichever way it
asks: through a page, through the API, or by calling a service directly; and nothing changes."""

import datetime

import pytest

from hlgrid.errors import NotFound
from party.models import DutyKind, DutyShift, InServiceRecord, PartyMember, ProjectReport
from party.services.alliances import (
    inservice_member_add,
    inservice_member_report,
    inservice_service_record,
    project_create,
    project_report,
)
from party.services.chain import member_add, org_delete
from party.services.windows import duty_shift_add
from tests.party import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city):
    return pf.Chain(city)


def test_an_outsider_gets_404_for_an_organisation_through_a_page_the_api_and_a_service(
    chain, people, client, api_client
):
    client.force_login(people.outsider)
    assert client.get(f"/party/orgs/{chain.branch.pk}/").status_code == 404
    api_client.force_authenticate(people.outsider)
    foreign = api_client.get(f"/api/v1/party/organizations/{chain.branch.pk}/")
    missing = api_client.get("/api/v1/party/organizations/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()  # nothing tells a foreign id from an absent one
    with pytest.raises(NotFound):
        member_add(actor=people.outsider, organization=chain.branch, name="外人")
    with pytest.raises(NotFound):
        org_delete(actor=people.outsider, org=chain.central)
    assert not PartyMember.objects.exists()
    assert chain.central.__class__.objects.filter(pk=chain.central.pk).exists()


def test_an_outsider_gets_404_for_a_joint_project_through_a_page_the_api_and_a_service(
    chain, people, client, api_client
):
    project = project_create(
        actor=people.official, alliance=pf.alliance(chain), name="老旧小区改造", budget=1000
    )
    client.force_login(people.outsider)
    assert client.get(f"/party/projects/{project.pk}/").status_code == 404
    assert (
        client.post(f"/party/projects/{project.pk}/", {"progress": "30", "text": "开工"}).status_code == 404
    )
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/party/projects/{project.pk}/").status_code == 404
    response = api_client.post(
        f"/api/v1/party/projects/{project.pk}/reports/", {"progress": 30, "text": "开工"}, format="json"
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        project_report(actor=people.outsider, project=project, progress=30, text="开工")
    assert not ProjectReport.objects.exists()


def test_an_outsider_gets_404_for_an_in_service_member_through_the_api_and_a_service(
    chain, city, people, api_client
):
    member = inservice_member_add(actor=people.official, unit=pf.unit(pf.alliance(chain)), name="吴在职")
    member = inservice_member_report(actor=people.official, member=member, grid=city.grid_a1)
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/party/in-service-members/{member.pk}/").status_code == 404
    body = {"served_on": datetime.date.today().isoformat(), "hours": "1", "description": "清扫"}
    assert (
        api_client.post(
            f"/api/v1/party/in-service-members/{member.pk}/records/", body, format="json"
        ).status_code
        == 404
    )
    with pytest.raises(NotFound):
        inservice_service_record(
            actor=people.outsider, member=member, served_on=datetime.date.today(), hours=1, description="清扫"
        )
    with pytest.raises(NotFound):
        inservice_member_report(actor=people.outsider, member=member, grid=city.grid_b1)
    assert not InServiceRecord.objects.exists()
    member.refresh_from_db()
    assert member.grid == city.grid_a1


def test_an_outsider_gets_404_for_a_window_through_the_api_and_a_service(city, people, api_client):
    window = pf.WindowFactory(node=city.street_a)
    worker = pf.social_worker(city.grid_a1, items=[pf.ServiceItemFactory()])
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/party/windows/{window.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/party/windows/{window.pk}/on-duty/").status_code == 404
    starts = datetime.datetime(2026, 11, 23, 8, 30, tzinfo=datetime.UTC)
    with pytest.raises(NotFound):
        duty_shift_add(
            actor=people.outsider,
            worker=worker,
            kind=DutyKind.WINDOW,
            window=window,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=4),
        )
    assert not DutyShift.objects.exists()
