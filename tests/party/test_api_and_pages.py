"""The Party API and pages: scoped like everything else (404 outside), errors as JSON with the
field, and a fixed number of queries whatever the number of rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.access import SYSTEM
from party.models import OrgKind, SignUpStatus
from party.services.alliances import inservice_member_add, inservice_member_report, project_create
from party.services.chain import org_create
from party.services.time_bank import signup_confirm, signup_create
from tests.factories import UserFactory
from tests.party import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city):
    chain = pf.Chain(city)
    pf.secretary(chain.branch, name="支部书记")
    return chain


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
        assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def test_the_chain_api_lists_only_organisations_in_the_callers_scope(chain, people, api_client):
    api_client.force_authenticate(people.official)
    names = [o["name"] for o in api_client.get("/api/v1/party/organizations/").json()["results"]]
    assert sorted(names) == sorted(o.name for o in chain.orgs)
    api_client.force_authenticate(people.worker)  # grid A-1: the group and household anchored there
    names = [o["name"] for o in api_client.get("/api/v1/party/organizations/").json()["results"]]
    assert sorted(names) == sorted([chain.group.name, chain.central.name])
    api_client.force_authenticate(people.outsider)
    assert api_client.get("/api/v1/party/organizations/").json()["results"] == []
    assert api_client.get(f"/api/v1/party/organizations/{chain.branch.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/party/chain/{chain.home.pk}/").status_code == 404


def test_the_organisation_list_takes_the_same_queries_at_two_sizes(chain, city, people, api_client):
    api_client.force_authenticate(people.official)
    small = _queries(lambda: api_client.get("/api/v1/party/organizations/"))
    for i in range(8):
        household = rf.household(city.grid_a1, building=f"{40 + i}")
        group = org_create(
            actor=SYSTEM,
            parent=chain.branch,
            kind=OrgKind.BUILDING_GROUP,
            code=f"G{i}",
            name=f"小组{i}",
            buildings=[household.unit.building],
        )
        pf.secretary(group, name=f"组长{i}")
    large = _queries(lambda: api_client.get("/api/v1/party/organizations/"))
    assert small == large


def test_creating_an_organisation_over_a_foreign_territory_answers_400_with_the_field(
    chain, city, api_client
):
    api_client.force_authenticate(UserFactory(username="root", is_superuser=True))
    response = api_client.post(
        "/api/v1/party/organizations/",
        {
            "parent": chain.general.pk,
            "kind": OrgKind.GRID_BRANCH,
            "code": "Z1",
            "name": "跨界",
            "grids": [city.grid_b1.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "grids" in response.json()["errors"]
    response = api_client.post(
        "/api/v1/party/organizations/",
        {"parent": chain.committee.pk, "kind": OrgKind.BUILDING_GROUP, "code": "Z2", "name": "越级"},
        format="json",
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_a_volunteer_signs_up_is_confirmed_and_sees_the_points_through_the_api(city, people, api_client):
    account = UserFactory(username="vol")
    volunteer = pf.volunteer(city.grid_a2, user=account, name="刘志愿")
    activity = pf.activity(people.worker, city.grid_a1, rate=Decimal("10"))
    api_client.force_authenticate(account)
    response = api_client.post(f"/api/v1/party/activities/{activity.pk}/sign-up/")
    assert response.status_code == 201, response.content
    signup_id = response.json()["id"]
    assert api_client.post(f"/api/v1/party/signups/{signup_id}/confirm/", {"hours": "2"}).status_code == 404

    api_client.force_authenticate(people.worker)
    response = api_client.post(f"/api/v1/party/signups/{signup_id}/confirm/", {"hours": "2.5"})
    assert response.status_code == 200, response.content
    assert response.json()["entry"]["points"] == "25.00"
    assert response.json()["signup"]["status"] == SignUpStatus.CONFIRMED
    again = api_client.post(f"/api/v1/party/signups/{signup_id}/confirm/", {"hours": "2.5"})
    assert again.status_code == 409

    api_client.force_authenticate(account)
    me = api_client.get("/api/v1/party/volunteers/me/").json()
    assert me["volunteer"]["balance"] == "25.00" and me["hours"] == "2.5"
    reward = pf.RewardFactory(price=30)
    response = api_client.post(f"/api/v1/party/rewards/{reward.pk}/redeem/")
    assert response.status_code == 400 and "reward" in response.json()["errors"]
    volunteer.refresh_from_db()
    assert volunteer.balance == Decimal("25.00")


def test_a_user_who_is_not_a_volunteer_gets_404_for_the_volunteer_page(people, api_client, client):
    api_client.force_authenticate(people.worker)
    assert api_client.get("/api/v1/party/volunteers/me/").status_code == 404
    client.force_login(people.worker)
    assert client.get("/party/volunteer/").status_code == 404


def test_the_volunteer_page_takes_the_same_queries_at_two_sizes(city, people, client):
    account = UserFactory(username="vol2")
    volunteer = pf.volunteer(city.grid_a1, user=account)
    client.force_login(account)

    def more(n):
        for i in range(n):
            activity = pf.activity(
                people.worker,
                city.grid_a1,
                title=f"活动{i}",
                starts_at=timezone.now() - datetime.timedelta(minutes=30 + i),
            )
            signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
            signup_confirm(actor=people.worker, signup=signup, hours=1)
            pf.activity(
                people.official,
                city.grid_a2,
                title=f"将来{i}",
                starts_at=timezone.now() + datetime.timedelta(days=i + 1),
            )
            pf.RewardFactory()

    more(1)
    small = _queries(lambda: client.get("/party/volunteer/"))
    more(6)
    large = _queries(lambda: client.get("/party/volunteer/"))
    assert small == large


def test_the_pages_render_for_an_official(chain, city, people, client):
    alliance = pf.alliance(chain, name="甲街道机关党建联盟")
    unit = pf.unit(alliance, grids=[city.grid_a1])
    project = project_create(
        actor=SYSTEM, alliance=alliance, name="全民健身场馆建设", budget=1000, units=[unit]
    )
    activity = pf.activity(people.official, city.grid_a1)
    client.force_login(people.official)
    response = client.get("/party/", follow=True)
    assert response.status_code == 200 and chain.committee.name in response.content.decode()
    for url, text in [
        (f"/party/orgs/{chain.branch.pk}/", "支部书记"),
        (f"/party/orgs/{chain.central.pk}/", chain.neighbour.label),
        (f"/party/households/{chain.other.pk}/chain/", chain.group.name),
        ("/party/alliances/", "全民健身场馆建设"),
        (f"/party/alliances/{alliance.pk}/", unit.name),
        (f"/party/projects/{project.pk}/", "全民健身场馆建设"),
        ("/party/activities/", activity.title),
        (f"/party/activities/{activity.pk}/", activity.title),
        ("/party/ranking/", ""),
        ("/party/windows/", ""),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_a_grid_branchs_page_shows_the_units_and_in_service_members_sunk_into_its_grids(
    chain, city, people, client
):
    unit = pf.unit(pf.alliance(chain), grids=[city.grid_a2], name="和龙市人民医院")
    member = inservice_member_add(actor=SYSTEM, unit=unit, name="吴在职")
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    client.force_login(people.official)
    html = client.get(f"/party/orgs/{chain.branch.pk}/").content.decode()
    assert "和龙市人民医院" in html and "吴在职" in html


def test_pages_outside_the_scope_answer_404(chain, people, client):
    client.force_login(people.outsider)
    assert client.get(f"/party/orgs/{chain.branch.pk}/").status_code == 404
    assert client.get(f"/party/households/{chain.home.pk}/chain/").status_code == 404


def test_an_assessor_sees_a_central_households_organisation_but_not_its_addresses(chain, people, client):
    # The addresses are the residents' register: a city-wide assessor's post is not for residents.
    client.force_login(people.assessor)
    html = client.get(f"/party/orgs/{chain.central.pk}/").content.decode()
    assert chain.central.name in html
    for household in (chain.home, chain.neighbour, chain.other):
        assert household.label not in html
    client.force_login(people.worker)
    html = client.get(f"/party/orgs/{chain.central.pk}/").content.decode()
    assert all(h.label in html for h in (chain.home, chain.neighbour, chain.other))


def test_a_progress_report_posted_on_the_page_with_bad_input_changes_nothing(chain, people, client):
    project = project_create(actor=SYSTEM, alliance=pf.alliance(chain), name="老旧小区改造", budget=1000)
    client.force_login(people.official)
    response = client.post(f"/party/projects/{project.pk}/", {"progress": "150", "text": "x"}, follow=True)
    assert response.status_code == 200
    assert project.reports.count() == 0
    response = client.post(f"/party/projects/{project.pk}/", {"progress": "30", "text": "开工"})
    assert response.status_code == 302 and project.reports.count() == 1


def test_the_organiser_confirms_hours_on_the_activity_page_and_the_points_are_booked(city, people, client):
    volunteer = pf.volunteer(city.grid_a1, name="周志愿")
    activity = pf.activity(people.worker, city.grid_a1, rate=Decimal("10"))
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    client.force_login(people.outsider)
    assert client.post(f"/party/signups/{signup.pk}/confirm/", {"hours": "1"}).status_code == 404
    client.force_login(people.worker)
    response = client.post(f"/party/signups/{signup.pk}/confirm/", {"hours": "1.5"}, follow=True)
    assert response.status_code == 200
    assert "15" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.balance == Decimal("15.00")
    response = client.post(f"/party/signups/{signup.pk}/confirm/", {"hours": "1.5"}, follow=True)
    assert response.status_code == 200  # refused with a message, nothing booked twice
    volunteer.refresh_from_db()
    assert volunteer.balance == Decimal("15.00")


def test_a_volunteer_signs_up_and_redeems_on_the_page_and_overdrawing_is_refused(city, people, client):
    account = UserFactory(username="vol3")
    volunteer = pf.volunteer(city.grid_a1, user=account)
    activity = pf.activity(people.worker, city.grid_a1, rate=Decimal("10"))
    client.force_login(account)
    assert client.post(f"/party/activities/{activity.pk}/sign-up/").status_code == 302
    signup = volunteer.signups.get()
    signup_confirm(actor=people.worker, signup=signup, hours=1)
    cheap, dear = pf.RewardFactory(price=8), pf.RewardFactory(price=50)
    client.post(f"/party/rewards/{dear.pk}/redeem/")
    client.post(f"/party/rewards/{cheap.pk}/redeem/")
    volunteer.refresh_from_db()
    assert volunteer.balance == Decimal("2.00")
    assert list(volunteer.redemptions.values_list("reward", flat=True)) == [cheap.pk]


def test_grid_staff_register_a_resident_of_their_grid_as_a_volunteer_through_the_api(
    city, people, api_client
):
    home = rf.household(city.grid_a1, building="8")
    person = rf.resident(home, name="郑居民")
    far = rf.resident(rf.household(city.grid_b1, building="8"), name="乙居民")
    api_client.force_authenticate(people.worker)
    response = api_client.post("/api/v1/party/volunteers/", {"resident": person.pk}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["grid"]) == ("郑居民", city.grid_a1.pk)
    again = api_client.post("/api/v1/party/volunteers/", {"resident": person.pk}, format="json")
    assert again.status_code == 400
    outside = api_client.post("/api/v1/party/volunteers/", {"resident": far.pk}, format="json")
    assert outside.status_code == 400 and "resident" in outside.json()["errors"]


def test_an_official_creates_a_joint_project_through_the_api_and_bad_grids_are_refused(
    chain, city, people, api_client
):
    alliance = pf.alliance(chain)
    unit = pf.unit(alliance)
    api_client.force_authenticate(people.official)
    body = {"alliance": alliance.pk, "name": "全民健身场馆建设", "budget": "880000.00", "units": [unit.pk]}
    response = api_client.post("/api/v1/party/projects/", {**body, "grids": [city.grid_a1.pk]}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["budget"] == "880000.00" and response.json()["status"] == "PLANNED"
    response = api_client.post("/api/v1/party/projects/", {**body, "grids": [city.grid_b1.pk]}, format="json")
    assert response.status_code == 400 and "grids" in response.json()["errors"]
    api_client.force_authenticate(people.outsider)
    response = api_client.post("/api/v1/party/projects/", body, format="json")
    assert response.status_code == 400 and "alliance" in response.json()["errors"]


def test_every_party_endpoint_is_in_the_openapi_schema(api_client, people):
    api_client.force_authenticate(people.assessor)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    paths = set(schema["paths"])
    for path in [
        "/api/v1/party/organizations/",
        "/api/v1/party/chain/{id}/",
        "/api/v1/party/activities/{id}/sign-up/",
        "/api/v1/party/signups/{id}/confirm/",
        "/api/v1/party/rewards/{id}/redeem/",
        "/api/v1/party/volunteers/me/",
        "/api/v1/party/ranking/",
        "/api/v1/party/windows/{id}/on-duty/",
        "/api/v1/party/window-services/",
        "/api/v1/party/projects/{id}/reports/",
        "/api/v1/party/in-service-members/me/report/",
    ]:
        assert path in paths, path


def test_a_volunteer_without_a_post_is_offered_no_staff_section_of_the_party_menu(city, client):
    user = UserFactory(username="v_only")
    pf.volunteer(city.grid_a1, user=user)
    client.force_login(user)
    html = client.get("/party/volunteer/").content.decode()
    assert 'data-testid="party-nav"' in html
    for name in ("ranking", "roster", "board"):
        assert f'href="/party/{name}/"' not in html, name
    assert 'href="/party/activities/"' in html
