"""Two cities on one deployment (Helong and the second demo city, 图们市): nothing crosses.

Petitions route to their own city's grids and take their own city's categories, time limits
and departments; one city's configuration and assessment periods do not exist for the other's
people (404 through page, API and service alike); a period assesses its own city's workers;
one city's boundary edit does not rebuild the other's locator index.
"""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from evaluation import services as evaluation
from evaluation.models import Assessment, Period
from grids import locator
from grids import services as grid_services
from grids.models import Department, GridNode, Post, PostKind
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.models import User
from petitions import services as petitions
from petitions.models import Category, Level, Petition
from petitions.timers import handle_due
from residents.models import KeyGroup
from tests.factories import rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def tumen(helong_and_tumen):
    return helong_and_tumen


def user(username: str) -> User:
    return User.objects.get(username=username)


def api(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(user(username))
    return client


def page(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_each_city_has_its_own_configuration_with_the_same_codes(tumen):
    helong, city = GridNode.objects.get(code="HL"), tumen["city"]
    for model in (Department, Category, KeyGroup):
        assert model.objects.filter(city=helong).exists() and model.objects.filter(city=city).exists()
    # the same code in both, each its own row, limits of its own
    rubbish = {c.city_id: c for c in Category.objects.filter(code="SR01")}
    assert set(rubbish) == {helong.pk, city.pk}
    assert rubbish[city.pk].handle_limit == 1 != rubbish[helong.pk].handle_limit


def test_a_report_routes_to_its_citys_grid_and_takes_its_citys_category(tumen):
    city = tumen["city"]
    for petition in Petition.objects.filter(pk__in=[p.pk for p in tumen["petitions"]]).select_related(
        "grid", "category"
    ):
        assert petition.grid.tree_id == city.tree_id
        assert petition.category.city_id == city.pk
    # the same words at a Helong point take Helong's category of the same code
    helong_grid = GridNode.objects.get(code="HL").get_descendants().filter(kind="GRID").first()
    point = helong_grid.centroid_lat, helong_grid.centroid_lng
    report = petitions.public_petition_report(
        description="小区门口垃圾堆放好几天了，没人清运", latitude=point[0], longitude=point[1]
    )
    assert report.grid.tree_id == helong_grid.tree_id
    assert report.category.code == "SR01" and report.category.city.code == "HL"


def test_a_petition_is_classified_and_handed_only_within_its_city(tumen):
    worker = user("tm_worker")
    petition = next(p for p in tumen["petitions"] if p.grid.code == "TM-1-1-1")
    petition = petitions.petition_verify(actor=worker, petition=petition)
    helong_rubbish = Category.objects.get(city__code="HL", code="SR01")
    helong_department = Department.objects.get(city__code="HL", code="CG")
    before = Petition.objects.filter(pk=petition.pk).values().get()
    with pytest.raises(InvalidInput) as refused:
        petitions.petition_classify(actor=worker, petition=petition, category=helong_rubbish)
    assert "category" in refused.value.errors
    tumen_rubbish = Category.objects.get(city=tumen["city"], code="SR01")
    with pytest.raises(InvalidInput) as refused:
        petitions.petition_classify(
            actor=worker,
            petition=petition,
            category=tumen_rubbish,
            level=Level.DEPARTMENT,
            department=helong_department,
        )
    assert "department" in refused.value.errors
    assert Petition.objects.filter(pk=petition.pk).values().get() == before
    tumen_department = Department.objects.get(city=tumen["city"], code="CG")
    classified = petitions.petition_classify(
        actor=worker,
        petition=petition,
        category=tumen_rubbish,
        level=Level.DEPARTMENT,
        department=tumen_department,
    )
    assert classified.department == tumen_department
    # Tumen's own limit (one working day), not Helong's (two)
    assert classified.handle_due_at == handle_due(
        classified.classified_at, 1, tumen_rubbish.handle_unit, city=tumen_rubbish.city_id
    )
    assert helong_rubbish.handle_limit == 2


def test_lists_of_configuration_hold_only_the_callers_city(tumen):
    city = tumen["city"]
    for username, own in (("official", "HL"), ("tm_official", "TM")):
        client = api(username)
        for path in ("/api/v1/departments/", "/api/v1/key-groups/"):
            rows = client.get(path, {"page_size": 500}).json()
            rows = rows["results"] if isinstance(rows, dict) else rows
            ids = {row["id"] for row in rows}
            model = Department if "departments" in path else KeyGroup
            assert ids, path
            assert ids <= set(model.objects.filter(city__code=own).values_list("pk", flat=True)), path
    public = APIClient().get("/api/v1/petition-categories/", {"city": city.pk, "page_size": 500}).json()
    public = public["results"] if isinstance(public, dict) else public
    assert public and {row["id"] for row in public} <= set(
        Category.objects.filter(city=city).values_list("pk", flat=True)
    )


def test_another_citys_period_is_not_found_by_page_api_or_service(tumen):
    period = tumen["period"]
    helong_assessor = user("assessor")
    assert page("assessor").get(reverse("evaluation:period", args=[period.pk])).status_code == 404
    assert api("assessor").get(f"/api/v1/evaluation/periods/{period.pk}/").status_code == 404
    listed = api("assessor").get("/api/v1/evaluation/periods/", {"page_size": 500}).json()
    listed = listed["results"] if isinstance(listed, dict) else listed
    assert period.pk not in {row["id"] for row in listed}
    with pytest.raises(NotFound):
        evaluation.period_compute(actor=helong_assessor, period=period)
    # ...and its own assessor sees it
    assert page("tm_assessor").get(reverse("evaluation:period", args=[period.pk])).status_code == 200
    assert api("tm_assessor").get(f"/api/v1/evaluation/periods/{period.pk}/").status_code == 200


def test_another_citys_department_and_key_group_are_not_found_and_unchanged(tumen):
    department = tumen["departments"][0]
    group = KeyGroup.objects.filter(city=tumen["city"]).first()
    for path, obj in (
        (f"/api/v1/departments/{department.pk}/", department),
        (f"/api/v1/key-groups/{group.pk}/", group),
    ):
        answer = api("official").patch(path, {"name": "改名"}, format="json")
        assert answer.status_code == 404, answer.content
        obj.refresh_from_db()
        assert obj.name != "改名"
    assert page("official").get(reverse("residents:settings_key_group", args=[group.pk])).status_code == 404


def test_a_period_assesses_only_its_own_citys_workers(tumen):
    period = tumen["period"]
    after_end = timezone.make_aware(datetime.combine(period.ends_on + timedelta(days=1), time.min))
    evaluation.period_compute(actor=user("tm_assessor"), period=period, now=after_end)
    assessed = set(
        Assessment.objects.filter(period=period, is_current=True).values_list("worker_id", flat=True)
    )
    tumen_workers = set(
        Post.objects.filter(
            kind=PostKind.WORKER, is_active=True, node__tree_id=tumen["city"].tree_id
        ).values_list("user_id", flat=True)
    )
    assert assessed == tumen_workers and len(assessed) == 8
    assert not Period.objects.filter(city__code="HL", pk=period.pk).exists()


def test_one_citys_boundary_edit_does_not_rebuild_the_other_citys_index(tumen):
    helong = GridNode.objects.get(code="HL")
    before = locator.get_locator().by_city
    grid = tumen["grids"][0]
    boundary = rect(129.82, 42.95, 129.839, 42.965)  # a little smaller, still inside its community
    grid_services.gridnode_update(actor=user("admin"), node=grid, boundary=boundary)
    after = locator.get_locator().by_city
    assert after[helong.tree_id] is before[helong.tree_id]
    assert after[grid.tree_id] is not before[grid.tree_id]


def test_each_city_keeps_its_own_working_calendar(tumen):
    from datetime import date

    from grids import calendar
    from grids.models import CalendarDay
    from hlgrid import workdays
    from hlgrid.models import DayKind

    helong, city = GridNode.objects.get(code="HL"), tumen["city"]
    year = timezone.localdate().year
    # Both are in Yanbian: each city's office entered 州庆 in its own calendar.
    for each in (helong, city):
        if date(year, 9, 3).weekday() < 5:
            assert CalendarDay.objects.filter(city=each, date=date(year, 9, 3), name="延边州庆").exists()
    # A day off of Tumen's own (a Wednesday in the next year) is not Helong's.
    day = date(year + 1, 6, 2)
    while day.weekday() != 2 or not workdays.is_working_day(day, city=helong.pk):
        day += timedelta(days=1)
    calendar.calendar_day_set(
        actor=user("tm_official"), city=city, day=day, kind=DayKind.HOLIDAY, name="图们市庆"
    )
    assert not workdays.is_working_day(day, city=city.pk)
    assert workdays.is_working_day(day, city=helong.pk)
    assert "图们市庆" not in {d["name"] for d in calendar.calendar_year(day.year, city=helong)}
    # Helong's people do not find Tumen's calendar, through page and API alike.
    with pytest.raises(NotFound):
        calendar.calendar_day_remove(actor=user("official"), city=city, day=day)
    url = reverse("settings_calendar_year", args=[day.year])
    assert page("official").get(url, {"city": city.pk}).status_code == 404
    assert (
        api("official").get("/api/v1/calendar-days/", {"year": day.year, "city": city.pk}).status_code == 404
    )
    mine = page("tm_official").get(url)
    assert mine.status_code == 200 and "图们市庆" in mine.content.decode()
