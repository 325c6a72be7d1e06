"""A neighbours' dispute that came in as a petition is turned into a case on the petition's page
(portal.mediation_links): in the petition's grid, once, with the reporter as the applicant."""

import pytest

from mediation.models import Case, Source, Status
from petitions.services import public_petition_report
from tests.petitions.factories import POINT_A1

pytestmark = pytest.mark.django_db


def petition():
    return public_petition_report(
        description="楼上邻居装修噪音，多次沟通无果",
        latitude=POINT_A1[0],
        longitude=POINT_A1[1],
        reporter_name="孙丽",
        reporter_phone="13812340000",
    )


def test_a_worker_turns_a_petition_into_a_case_once_with_the_reporter_as_applicant(client, city, people):
    p = petition()
    client.force_login(people.worker)
    detail = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f"/mediation/from-petition/{p.pk}/" in detail
    form = client.get(f"/mediation/from-petition/{p.pk}/")
    assert form.status_code == 200 and p.tracking_code in form.content.decode()
    refused = client.post(
        f"/mediation/from-petition/{p.pk}/", {"kind": "", "description": "x", "reporter": "1"}
    )
    assert refused.status_code == 400 and not Case.objects.exists()
    done = client.post(
        f"/mediation/from-petition/{p.pk}/",
        {"kind": "NEIGHBOUR", "description": p.description, "reporter": "1", "other_name_0": "楼上住户"},
    )
    case = Case.objects.get()
    assert done["Location"] == f"/mediation/{case.pk}/"
    assert (case.source, case.petition_id, case.grid, case.status) == (
        Source.PETITION,
        p.pk,
        city.grid_a1,
        Status.REGISTERED,
    )
    applicant = case.parties.get(role="APPLICANT")
    assert (applicant.name_masked, applicant.phone_masked) == ("孙*", "138****0000")
    assert client.get(f"/mediation/from-petition/{p.pk}/")["Location"] == f"/mediation/{case.pk}/"


def test_an_outsider_gets_404_for_the_petitions_flow(client, city, people):
    p = petition()
    client.force_login(people.outsider)
    assert client.get(f"/mediation/from-petition/{p.pk}/").status_code == 404
    assert (
        client.post(
            f"/mediation/from-petition/{p.pk}/", {"kind": "NEIGHBOUR", "description": "x"}
        ).status_code
        == 404
    )
    assert not Case.objects.exists()


def test_department_staff_who_see_the_petition_do_not_register_its_dispute(client, city, people, team):
    from petitions.services import petition_classify, petition_verify

    p = petition()
    petition_verify(actor=people.worker, petition=p)
    petition_classify(
        actor=people.worker,
        petition=p,
        category=team.category,
        level="DEPARTMENT",
        department=team.department,
    )
    client.force_login(team.dept)
    response = client.post(
        f"/mediation/from-petition/{p.pk}/", {"kind": "NEIGHBOUR", "description": "x", "other_name_0": "某人"}
    )
    assert response.status_code == 404
    assert not Case.objects.exists()
