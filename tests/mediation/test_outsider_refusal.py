"""An outsider (a worker of another street's grid) gets the same refusal, 404, through a page,
the API and a direct service call, and nothing changes; a call that names no actor is refused."""

import datetime

import pytest

from hlgrid.errors import NotFound
from mediation import services
from mediation.models import Case, CaseEvent, MonthlyReport, Status
from mediation.services import PartyInput
from residents.models import AccessLog
from tests.mediation.factories import case, neighbours

pytestmark = pytest.mark.django_db


def test_an_outsider_gets_404_for_a_case_through_the_page_the_api_and_the_service(
    client, api_client, city, people
):
    c = case(city.grid_a1, actor=people.worker)
    party = c.parties.first()

    client.force_login(people.outsider)
    assert client.get(f"/mediation/{c.pk}/").status_code == 404
    assert client.post(f"/mediation/{c.pk}/grade/", {"risk": "HIGH", "reasons": "x"}).status_code == 404
    assert client.post(f"/mediation/{c.pk}/parties/{party.pk}/reveal/").status_code == 404

    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/mediation/cases/{c.pk}/").status_code == 404
    answer = api_client.post(
        f"/api/v1/mediation/cases/{c.pk}/grade/", {"risk": "HIGH", "reasons": "x"}, format="json"
    )
    assert answer.status_code == 404
    assert (
        api_client.post(
            f"/api/v1/mediation/cases/{c.pk}/reveal/", {"party": party.pk}, format="json"
        ).status_code
        == 404
    )
    listed = api_client.get("/api/v1/mediation/cases/").json()["results"]
    assert listed == []

    with pytest.raises(NotFound):
        services.case_grade(actor=people.outsider, case=c, risk="HIGH", reasons="x")
    with pytest.raises(NotFound):
        services.session_record(
            actor=people.outsider, case=c, mediators=[{"kind": "MEDIATOR", "name": "x"}], summary="x"
        )
    with pytest.raises(NotFound):
        services.case_refer(actor=people.outsider, case=c, to="COURT", reason="x")
    with pytest.raises(NotFound):
        services.party_reveal(actor=people.outsider, party=party)
    with pytest.raises(NotFound):
        services.case_register(
            actor=people.outsider,
            source="HOTLINE",
            kind="NEIGHBOUR",
            description="x",
            grid=city.grid_a1,
            parties=[PartyInput(role="APPLICANT", name="某人")],
        )
    with pytest.raises(NotFound):
        services.report_submit(
            actor=people.outsider, grid=city.grid_a1, month=datetime.date.today(), zero=True
        )

    assert Case.objects.get(pk=c.pk).status == Status.REGISTERED
    assert list(CaseEvent.objects.values_list("action", flat=True)) == ["register"]
    assert not AccessLog.objects.exists() and not MonthlyReport.objects.exists()


def test_department_staff_and_assessors_do_not_see_disputes(api_client, city, people):
    case(city.grid_a1, actor=people.worker)
    api_client.force_authenticate(people.assessor)
    assert api_client.get("/api/v1/mediation/cases/").json()["results"] == []


def test_a_service_called_without_an_actor_refuses(city, people):
    c = case(city.grid_a1, actor=people.worker)
    with pytest.raises(NotFound):
        services.case_grade(actor=None, case=c, risk="LOW", reasons="x")
    with pytest.raises(NotFound):
        services.case_register(
            actor=None,
            source="HOTLINE",
            kind="NEIGHBOUR",
            description="x",
            grid=city.grid_a1,
            parties=[PartyInput(role="APPLICANT", resident=neighbours(city.grid_a2)[0])],
        )
    with pytest.raises(NotFound):
        services.notice_mark_read(actor=None)
    assert Case.objects.get(pk=c.pk).status == Status.REGISTERED
