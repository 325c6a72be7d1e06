"""The public intake answers from process memory (the grid locator, each city's categories)
and from what its own transaction wrote: a change to a city's categories or boundaries is seen
by the very next intake, another city's cache is left alone, and the answer is the one the
tracking page gives."""

import functools
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services as grid_services
from grids.access import SYSTEM
from grids.models import NodeKind
from petitions.models import Category, Petition
from tests.factories import rect
from tests.petitions.factories import POINT_A1, CategoryFactory, jpeg

pytestmark = pytest.mark.django_db
PUBLIC = "/api/v1/public/petitions/"
# A point inside the second city's grid (see `second_city`).
POINT_S = (43.005, 130.01)


def report(client, at=POINT_A1, **data):
    body = {"description": "小区门口垃圾桶满了没人清运", "latitude": at[0], "longitude": at[1], **data}
    response = client.post(PUBLIC, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def second_city(db):
    create = functools.partial(grid_services.gridnode_create, actor=SYSTEM)
    root = create(
        parent=None, kind=NodeKind.CITY, code="S", name="第二市", boundary=rect(130.0, 43.0, 130.02, 43.02)
    )
    street = create(
        parent=root,
        kind=NodeKind.STREET,
        code="S-A",
        name="丙街道",
        boundary=rect(130.0, 43.0, 130.02, 43.02),
    )
    community = create(
        parent=street,
        kind=NodeKind.COMMUNITY,
        code="S-A-1",
        name="丙社区",
        boundary=rect(130.0, 43.0, 130.02, 43.02),
    )
    create(
        parent=community,
        kind=NodeKind.GRID,
        code="S-A-1-1",
        name="丙一网格",
        boundary=rect(130.0, 43.0, 130.02, 43.01),
    )
    CategoryFactory(city=root, code="X1", name="垃圾", keywords="垃圾")
    return root


def category_reads(queries) -> int:
    return sum('FROM "petitions_category"' in q["sql"] for q in queries.captured_queries)


def test_a_category_added_in_a_city_is_suggested_by_the_next_intake(api_client, city):
    assert report(api_client)["category"] == ""
    CategoryFactory(city=city.city, code="G1", name="垃圾清运", keywords="垃圾桶")
    answer = report(api_client)
    assert answer["category"] == "垃圾清运"
    assert Petition.objects.get(tracking_code=answer["tracking_code"]).category.code == "G1"


def test_a_category_renamed_or_retimed_is_seen_by_the_next_intake(api_client, city):
    parent = CategoryFactory(city=city.city, code="SR", name="市容环境")
    CategoryFactory(
        city=city.city, code="SR01", name="垃圾清运", parent=parent, keywords="垃圾桶", verify_hours=8
    )
    first = report(api_client)
    assert first["category"] == "市容环境 › 垃圾清运"
    # a bulk update (as the admin's or a script's) sends no signal: the database tells the caches
    Category.objects.filter(code="SR").update(name="环境卫生")
    Category.objects.filter(code="SR01").update(verify_hours=2)
    second = Petition.objects.get(tracking_code=report(api_client)["tracking_code"])
    assert str(second.category) == "环境卫生 › 垃圾清运"
    assert second.due_at - second.received_at == timedelta(hours=2)


def test_a_category_retired_is_no_longer_suggested(api_client, city):
    CategoryFactory(city=city.city, code="G1", name="垃圾清运", keywords="垃圾桶")
    assert report(api_client)["category"] == "垃圾清运"
    Category.objects.filter(code="G1").update(is_active=False)
    assert report(api_client)["category"] == ""


def test_one_citys_category_change_leaves_the_other_citys_cache_alone(api_client, city, second_city):
    CategoryFactory(city=city.city, code="G1", name="垃圾清运", keywords="垃圾桶")
    report(api_client)
    report(api_client, at=POINT_S)
    Category.objects.filter(city=city.city, code="G1").update(name="垃圾收运")
    with CaptureQueriesContext(connection) as other:
        assert report(api_client, at=POINT_S)["category"] == "垃圾"
    assert category_reads(other) == 0
    with CaptureQueriesContext(connection) as changed:
        assert report(api_client)["category"] == "垃圾收运"
    assert category_reads(changed) == 1


def test_a_boundary_edit_is_seen_by_the_next_intakes_locator(api_client, city):
    report(api_client)
    # grid A-1 shrinks to its southern half: the point (lat 42.505) is outside every grid now
    grid_services.gridnode_update(actor=SYSTEM, node=city.grid_a1, boundary=rect(129.0, 42.5, 129.02, 42.502))
    response = api_client.post(
        PUBLIC,
        {"description": "垃圾桶满了", "latitude": POINT_A1[0], "longitude": POINT_A1[1]},
        format="json",
    )
    assert response.status_code == 400
    assert "location" in response.json()["errors"]


def test_a_warm_intake_reads_no_polygon_and_no_category(api_client, city):
    CategoryFactory(city=city.city, code="G1", name="垃圾清运", keywords="垃圾桶")
    report(api_client)
    with CaptureQueriesContext(connection) as queries:
        report(api_client)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if '"boundary"' in s]
    assert category_reads(queries) == 0
    assert not [s for s in sql if s.startswith("UPDATE") and "petitions_petition" in s]


def test_the_answer_of_a_report_is_its_tracking_page(api_client, city):
    parent = CategoryFactory(city=city.city, code="SR", name="市容环境")
    CategoryFactory(city=city.city, code="SR01", name="垃圾清运", parent=parent, keywords="垃圾桶")
    plain = report(api_client)
    assert api_client.get(f"{PUBLIC}{plain['tracking_code']}/").json() == plain
    body = {
        "description": "路灯坏了",
        "latitude": POINT_A1[0],
        "longitude": POINT_A1[1],
        "category": Category.objects.get(code="SR01").pk,
        "photos": [jpeg(), jpeg(name="b.jpg")],
    }
    with_photos = api_client.post(PUBLIC, body, format="multipart").json()
    assert len(with_photos["photos"]) == 2
    assert with_photos["category"] == "市容环境 › 垃圾清运"
    assert api_client.get(f"{PUBLIC}{with_photos['tracking_code']}/").json() == with_photos


def test_bad_input_changes_nothing_and_says_which_field(api_client, city):
    response = api_client.post(PUBLIC, {"description": "", "latitude": 0, "longitude": 0}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"description"}
    assert not Petition.objects.exists()


def test_a_report_tells_each_active_worker_of_its_grid_once(api_client, city, people, team):
    from grids.models import Post
    from grids.services import post_end
    from petitions.models import Notification, NotificationKind
    from petitions.services.notifications import notify_posts_at

    post_end(actor=SYSTEM, post=Post.objects.get(user=team.worker2, node=city.grid_a1))
    petition = Petition.objects.get(tracking_code=report(api_client)["tracking_code"])
    told = Notification.objects.filter(petition=petition, kind=NotificationKind.ASSIGNED)
    assert [(n.recipient_id, n.dedupe_key, n.text) for n in told] == [
        (people.worker.pk, f"new:{petition.pk}:{people.worker.pk}", petition.description)
    ]
    # a repeat adds nothing (the dedupe key)
    again = notify_posts_at(
        node_id=city.grid_a1.pk,
        kinds=["WORKER"],
        kind=NotificationKind.ASSIGNED,
        petition=petition,
        text="x",
        dedupe=f"new:{petition.pk}",
        now=petition.received_at,
    )
    assert again == 0
    assert told.count() == 1


def _clashing_codes(monkeypatch, taken: str):
    """The next tracking code drawn is `taken`, the ones after it fresh."""
    from petitions.services import intake

    drawn = iter([taken])
    fresh = intake.tracking_code_new
    monkeypatch.setattr(intake, "tracking_code_new", lambda: next(drawn, None) or fresh())


def test_a_tracking_code_clash_inside_a_callers_transaction_draws_again(api_client, city, monkeypatch):
    taken = report(api_client)["tracking_code"]
    _clashing_codes(monkeypatch, taken)
    answer = report(api_client)  # inside the test's transaction: the insert's savepoint
    assert answer["tracking_code"] != taken
    assert Petition.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_tracking_code_clash_in_its_own_transaction_runs_it_again(city, monkeypatch):
    from petitions.models import Notification, PetitionEvent
    from tests.petitions.factories import report as service_report

    taken = service_report().tracking_code
    _clashing_codes(monkeypatch, taken)
    second = service_report()
    assert second.tracking_code != taken
    assert Petition.objects.count() == 2
    assert PetitionEvent.objects.filter(petition=second).count() == 1
    assert (
        Notification.objects.filter(petition=second).count()
        == Notification.objects.filter(petition__tracking_code=taken).count()
    )


def test_a_report_clears_the_dashboards_of_its_grid_and_the_nodes_above_only(
    city, django_capture_on_commit_callbacks
):
    from dashboards import cache as dashboard_cache
    from tests.petitions.factories import report as service_report

    nodes = [city.city, city.street_a, city.community_a, city.grid_a1, city.grid_a2, city.street_b]
    for node in nodes:
        dashboard_cache.cached("probe", node, "now", lambda: 0)
    with django_capture_on_commit_callbacks(execute=True):
        service_report()  # at a point of grid A-1: the path comes from the locator's entry
    recomputed = []
    for node in nodes:
        dashboard_cache.cached("probe", node, "now", lambda node=node: recomputed.append(node.code))
    assert sorted(recomputed) == sorted(
        [city.city.code, city.street_a.code, city.community_a.code, "T-A-1-1"]
    )
