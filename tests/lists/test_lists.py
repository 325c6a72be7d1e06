"""Resources and their matches (money to the fen, never more than offered), claims of needs by a
unit, a member or an organisation, needs turned into joint projects, responsibilities, social
organisations and their activities; scope through service, page and API alike; query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from lists import selectors, services
from lists.models import NeedStatus, OrgKind, ResourceKind
from party.models import JointProject
from tests.party import factories as pf

pytestmark = pytest.mark.django_db


def _duty(actor, **kwargs):
    return services.responsibility_assign(actor=actor, duty="跟踪", **kwargs)


@pytest.fixture
def setup(city, people):
    chain = pf.Chain(city)
    alliance = pf.alliance(chain)
    unit = pf.unit(alliance, grids=[city.grid_a1])
    fund = services.resource_create(
        actor=people.official, alliance=alliance, kind=ResourceKind.FUNDS, title="共建资金", amount="1000.10"
    )
    hours = services.resource_create(
        actor=people.official, unit=unit, kind=ResourceKind.STAFF_HOURS, title="志愿时长", hours="10"
    )
    need = services.need_create(actor=people.worker, grid=city.grid_a1, title="楼道照明")
    org = services.organization_create(
        actor=people.official,
        node=city.community_a,
        name="甲社区志愿服务队",
        kind=OrgKind.VOLUNTEER_TEAM,
        contact_phone="13912345678",
    )
    return {"alliance": alliance, "unit": unit, "fund": fund, "hours": hours, "need": need, "org": org}


def test_funds_are_committed_to_the_fen_and_never_beyond_what_is_offered(setup, city, people):
    fund, need = setup["fund"], setup["need"]
    other = services.need_create(actor=people.official, grid=city.grid_a2, title="助餐")
    services.need_match(actor=people.worker, need=need, resource=fund, amount="600.05")
    with pytest.raises(InvalidInput) as exc:
        services.need_match(actor=people.official, need=other, resource=fund, amount="400.06")
    assert "amount" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        services.need_match(actor=people.official, need=other, resource=fund, amount="1.001")
    assert "amount" in exc.value.errors
    services.need_match(actor=people.official, need=other, resource=fund, amount="400.05")
    row = selectors.resource_get(user=people.official, pk=fund.pk)
    assert row.committed_amount == Decimal("1000.10") == row.amount
    page = selectors.need_get(user=people.worker, pk=need.pk)
    assert page.matched_amount == Decimal("600.05") and page.status == NeedStatus.MATCHED
    # An offer cannot shrink below what is committed.
    with pytest.raises(InvalidInput):
        services.resource_update(
            actor=people.official, resource=fund, kind=ResourceKind.FUNDS, title="共建资金", amount="1000.09"
        )
    with pytest.raises(InvalidInput):
        services.resource_create(
            actor=people.official,
            alliance=setup["alliance"],
            kind=ResourceKind.FUNDS,
            title="x",
            amount="-1",
        )


def test_hours_are_committed_within_the_offer_and_a_resource_is_matched_once(setup, people):
    need, hours = setup["need"], setup["hours"]
    with pytest.raises(InvalidInput):
        services.need_match(actor=people.worker, need=need, resource=hours, hours="10.5")
    with pytest.raises(InvalidInput):
        services.need_match(actor=people.worker, need=need, resource=hours, amount="5", hours="2")
    services.need_match(actor=people.worker, need=need, resource=hours, hours="10")
    with pytest.raises(InvalidInput):
        services.need_match(actor=people.worker, need=need, resource=hours, hours="1")


def test_a_need_is_claimed_once_by_one_claimant_of_its_area(setup, city, people):
    need, org, unit = setup["need"], setup["org"], setup["unit"]
    with pytest.raises(InvalidInput):
        services.need_claim(actor=people.worker, need=need, unit=unit, organization=org)
    far = services.organization_create(
        actor=SYSTEM, node=city.community_b, name="乙社区互助会", kind=OrgKind.SOCIAL_ORG
    )
    with pytest.raises(InvalidInput) as exc:
        services.need_claim(actor=people.worker, need=need, organization=far)
    assert "organization" in exc.value.errors
    services.need_claim(actor=people.worker, need=need, organization=org)
    with pytest.raises(TransitionNotAllowed):
        services.need_claim(actor=people.worker, need=need, unit=unit)
    need.refresh_from_db()
    assert need.claimed_by_org == org and need.status == NeedStatus.MATCHED
    services.activity_record(
        actor=people.worker,
        organization=org,
        grid=city.grid_a1,
        title="楼道清扫",
        held_on=datetime.date.today(),
        participants=12,
        need=need,
    )
    row = selectors.organization_get(user=people.worker, pk=org.pk)
    assert (row.claim_count, row.activity_count) == (1, 1)
    assert row.contact_phone_masked == "139****5678"


def test_a_matched_need_becomes_a_joint_project_through_partys_service(setup, people):
    need, fund, hours = setup["need"], setup["fund"], setup["hours"]
    services.need_match(actor=people.worker, need=need, resource=fund, amount="250.50")
    services.need_match(actor=people.worker, need=need, resource=hours, hours="3")
    with pytest.raises(NotFound):  # party's rule: only officials over the alliance's street create projects
        services.need_to_project(actor=people.worker, need=need, alliance=setup["alliance"])
    project = services.need_to_project(actor=people.official, need=need, alliance=setup["alliance"])
    assert isinstance(project, JointProject) and project.budget == Decimal("250.50")
    assert list(project.units.all()) == [setup["unit"]]
    need.refresh_from_db()
    assert need.status == NeedStatus.PROJECT and need.project == project
    with pytest.raises(TransitionNotAllowed):
        services.need_to_project(actor=people.official, need=need, alliance=setup["alliance"])
    assert selectors.project_list_page(user=people.worker).get(pk=project.pk).need_count == 1
    assert selectors.node_figures(node=setup["alliance"].node)["projects"] == 1
    services.need_close(actor=people.worker, need=need)
    with pytest.raises(TransitionNotAllowed):
        services.need_close(actor=people.worker, need=need)


def test_responsibilities_are_assigned_by_heads_to_someone_who_serves_there(setup, city, people):
    need = setup["need"]
    with pytest.raises(Forbidden):
        _duty(people.worker, need=need, holder_user=people.worker)
    with pytest.raises(InvalidInput):
        services.responsibility_assign(
            actor=people.gridhead, need=need, holder_user=people.outsider, duty="跟踪"
        )
    with pytest.raises(InvalidInput):
        services.responsibility_assign(
            actor=people.gridhead, need=need, holder_user=people.worker, holder_unit=setup["unit"], duty="x"
        )
    duty = services.responsibility_assign(
        actor=people.gridhead, need=need, holder_user=people.worker, duty="跟踪"
    )
    services.responsibility_assign(
        actor=people.official, resource=setup["fund"], holder_unit=setup["unit"], duty="管好资金"
    )
    assert {d.duty for d in selectors.responsibility_list_page(user=people.official)} == {"跟踪", "管好资金"}
    assert [d.duty for d in selectors.responsibility_list_page(user=people.worker)] == ["跟踪"]
    assert duty.node == city.grid_a1


def test_an_outsider_gets_404_through_service_page_and_api(setup, city, people, client, api_client):
    need, fund = setup["need"], setup["fund"]
    outsider = people.outsider
    with pytest.raises(NotFound):
        services.need_match(actor=outsider, need=need, resource=fund, amount="1")
    with pytest.raises(NotFound):
        services.need_claim(actor=outsider, need=need, unit=setup["unit"])
    with pytest.raises(NotFound):
        services.resource_update(
            actor=outsider, resource=fund, kind=ResourceKind.FUNDS, title="x", amount="1"
        )
    assert not selectors.resource_list(user=outsider).exists()
    assert selectors.resource_list(user=people.worker).count() == 2  # offered over the worker's grid
    client.force_login(outsider)
    for url in (
        reverse("lists:need", args=[need.pk]),
        reverse("lists:resource", args=[fund.pk]),
        reverse("lists:organization", args=[setup["org"].pk]),
        reverse("lists:unit", args=[setup["unit"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("lists:need_action", args=[need.pk, "close"])).status_code == 404
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/lists/needs/{need.pk}/").status_code == 404
    answer = api_client.post(f"/api/v1/lists/needs/{need.pk}/match/", {"resource": fund.pk, "amount": "1"})
    assert answer.status_code == 404
    assert api_client.get(f"/api/v1/lists/resources/{fund.pk}/").status_code == 404
    assert api_client.get("/api/v1/lists/needs/").json()["results"] == []
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_the_api_matches_with_decimal_strings_and_refuses_bad_input_with_the_field(setup, people, api_client):
    api_client.force_authenticate(people.worker)
    need, fund = setup["need"], setup["fund"]
    bad = api_client.post(
        f"/api/v1/lists/needs/{need.pk}/match/", {"resource": fund.pk, "amount": "0.001"}, format="json"
    )
    assert bad.status_code == 400 and "amount" in bad.json()["errors"]
    good = api_client.post(
        f"/api/v1/lists/needs/{need.pk}/match/", {"resource": fund.pk, "amount": "12.30"}, format="json"
    )
    assert good.status_code == 201 and good.json()["amount"] == "12.30"
    row = api_client.get(f"/api/v1/lists/resources/{fund.pk}/").json()
    assert row["committed_amount"] == "12.30" and row["amount"] == "1000.10"


def _pages(people, setup):
    return [
        reverse("lists:needs"),
        reverse("lists:resources"),
        reverse("lists:projects"),
        reverse("lists:responsibilities"),
        reverse("lists:wishes"),
        reverse("lists:organizations"),
        reverse("lists:need", args=[setup["need"].pk]),
        reverse("lists:unit", args=[setup["unit"].pk]),
    ]


def _more(setup, city, people, n: int):
    for i in range(n):
        need = services.need_create(actor=people.worker, grid=city.grid_a1, title=f"需求{i}")
        services.need_match(actor=people.worker, need=need, resource=setup["fund"], amount="1.00")
        services.wish_create(actor=people.worker, grid=city.grid_a1, title=f"心愿{i}", resident_name="王")
        services.resource_create(
            actor=people.official, unit=setup["unit"], kind=ResourceKind.SKILL, title=f"技能{i}"
        )
        services.responsibility_assign(
            actor=people.gridhead, need=need, holder_user=people.worker, duty="跟踪"
        )


def test_the_pages_run_the_same_number_of_queries_whatever_the_rows(setup, city, people, client):
    client.force_login(people.official)
    urls = _pages(people, setup)

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            result.append(len(ctx.captured_queries))
        return result

    _more(setup, city, people, 1)
    small = counts()
    _more(setup, city, people, 6)
    assert counts() == small


def test_the_node_figures_are_a_fixed_handful_of_queries(setup, city, people, django_assert_max_num_queries):
    _more(setup, city, people, 3)
    with django_assert_max_num_queries(5):
        figures = selectors.node_figures(node=city.street_a)
    assert figures["needs"] == 7 and figures["funds"] == Decimal("1000.10") and figures["duties"] == 3
    assert selectors.node_figures(node=city.street_b)["needs"] == 0
