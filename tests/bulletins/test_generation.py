from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bulletins import services, tasks
from bulletins.models import Bulletin, Kind
from bulletins.sections import column, register_section, unregister_section
from grids.access import SYSTEM
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from hlgrid.notifier.models import Delivery
from tests.bulletins.conftest import MONDAY, WEEK_DAY
from tests.dashboards import data

pytestmark = pytest.mark.django_db


def _generate(world, node=None, **kwargs):
    kwargs.setdefault("kind", Kind.WEEK)
    kwargs.setdefault("day", WEEK_DAY)
    kwargs.setdefault("now", MONDAY)
    return services.bulletin_generate(
        actor=kwargs.pop("actor", world.official), node=node or world.city.street_a, **kwargs
    )


def _section(bulletin, key):
    return next(s for s in bulletin.figures["sections"] if s["key"] == key)


def test_a_weekly_bulletin_holds_the_weeks_sections_as_plain_figures(world):
    bulletin = _generate(world)
    assert (bulletin.first_day.isoformat(), bulletin.last_day.isoformat()) == ("2026-03-09", "2026-03-15")
    keys = [s["key"] for s in bulletin.figures["sections"]]
    assert keys[:3] == ["headline", "lights", "grids"]
    assert {"overdue", "hotspots"} <= set(keys)
    headline = dict(_section(bulletin, "headline")["rows"])
    assert headline["Petitions received"] > 0
    grids = _section(bulletin, "grids")["rows"]
    assert {row[1] for row in grids} == {world.city.grid_a1.name, world.city.grid_a2.name}
    assert [row[0] for row in grids] == list(range(1, len(grids) + 1))


def test_generating_again_answers_the_stored_bulletin_unchanged_whatever_the_data_since(world):
    first = _generate(world)
    stored = first.figures
    for _ in range(5):
        data.petition(world.city.grid_a1, "RECEIVED", received_at=data.at(-1))
    again = _generate(world, now=MONDAY + timezone.timedelta(days=2))
    assert again.pk == first.pk
    assert Bulletin.objects.get(pk=first.pk).figures == stored
    assert Bulletin.objects.count() == 1


def test_a_week_that_has_not_ended_is_refused_and_nothing_is_stored(world):
    with pytest.raises(InvalidInput):
        _generate(world, day=MONDAY.date())
    assert not Bulletin.objects.exists()


def test_a_bulletin_is_made_for_a_street_or_the_city_only(world):
    with pytest.raises(InvalidInput):
        _generate(world, actor=SYSTEM, node=world.city.grid_a1)
    assert not Bulletin.objects.exists()


def test_an_outsider_gets_404_and_a_worker_inside_403_and_nothing_is_stored(world):
    with pytest.raises(NotFound):
        _generate(world, actor=world.outsider)
    with pytest.raises(Forbidden):
        _generate(world, actor=world.worker)
    with pytest.raises(NotFound):  # the official of street A does not reach street B
        _generate(world, node=world.city.street_b)
    assert not Bulletin.objects.exists()


def test_publication_sends_one_message_to_each_grid_head_and_the_streets_party_secretary(world):
    bulletin = _generate(world)
    _generate(world)  # again: nobody is sent it twice
    services.notify(bulletin, now=MONDAY)  # even when asked to send again
    sent = Delivery.objects.filter(dedupe_key__startswith=f"bulletin:{bulletin.pk}:")
    phones = sorted(d.address for d in sent)
    # The grid heads of A-1 and A-2 and the secretary; not the street head, not B-1's head.
    assert phones == ["13800000001", "13800000002", "13800000005"]
    assert bulletin.recipients == 3
    assert all(world.city.street_a.name in d.text for d in sent)


def test_the_city_bulletin_goes_to_the_streets_secretaries_or_else_their_heads(world, city):
    from grids.models import PostKind
    from grids.services import post_assign
    from tests.factories import UserFactory

    head_b = UserFactory(username="p_street_head_b", phone="13800000006")
    post_assign(actor=SYSTEM, user=head_b, kind=PostKind.HEAD, node=city.street_b)
    bulletin = _generate(world, actor=SYSTEM, node=city.city)
    phones = sorted(
        Delivery.objects.filter(dedupe_key__startswith=f"bulletin:{bulletin.pk}:").values_list(
            "address", flat=True
        )
    )
    assert phones == ["13800000005", "13800000006"]


def test_another_app_adds_a_section_through_the_registry(world):
    register_section(
        "example",
        title="An app's own section",
        order=66,
        build=lambda scope: {"columns": [column("node", "Node")], "rows": [[scope.node.name]]},
    )
    try:
        bulletin = _generate(world)
    finally:
        unregister_section("example")
    keys = [s["key"] for s in bulletin.figures["sections"]]
    # after the accountability cases (order 65), before the hotspots (70)
    assert keys.index("hotspots") == keys.index("example") + 1
    assert _section(bulletin, "example")["rows"] == [[world.city.street_a.name]]
    assert "example" not in [
        s["key"] for s in _generate(world, day=WEEK_DAY - timedelta(days=7)).figures["sections"]
    ]


def test_the_beat_task_makes_the_last_weeks_bulletins_of_the_city_and_each_street_once(world):
    with time_machine.travel(MONDAY, tick=False):
        assert tasks.bulletins_generate("WEEK") == 3
        assert tasks.bulletins_generate("WEEK") == 3
    assert Bulletin.objects.count() == 3
    assert set(Bulletin.objects.values_list("first_day", flat=True)) == {WEEK_DAY.replace(day=9)}
    with time_machine.travel(MONDAY, tick=False):
        tasks.bulletins_generate("MONTH")
    month = Bulletin.objects.filter(kind=Kind.MONTH).first()
    assert (month.first_day.isoformat(), month.last_day.isoformat()) == ("2026-02-01", "2026-02-28")


def test_the_beat_schedule_names_the_task_for_the_week_and_the_month():
    from django.conf import settings

    from hlgrid.celery import app

    entries = {
        e["args"][0]: e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "bulletins.tasks.bulletins_generate"
    }
    assert set(entries) == {"WEEK", "MONTH"}
    assert "bulletins.tasks.bulletins_generate" in app.tasks


def test_the_accountability_sections_hold_the_weeks_cases_of_the_street_as_reviewed(world):
    from petitions.models import Overdue, Step
    from supervision import services as supervision
    from supervision.models import Case
    from tests.factories import DepartmentFactory

    city = world.city
    department = DepartmentFactory(name="城管局")
    due = timezone.make_aware(timezone.datetime(2026, 3, 11, 17, 0))
    rows = [
        (city.grid_a1, {"user": world.worker}),
        (city.grid_a1, {"department": department}),
        (city.grid_a2, {"user": world.worker}),
        (city.grid_b1, {"user": world.worker}),  # another street: not in street A's bulletin
    ]
    for grid, who in rows:
        Overdue.objects.create(
            petition=data.petition(grid, "HANDLING"),
            step=Step.HANDLE,
            grid=grid,
            due_at=due,
            recorded_at=due,
            **who,
        )
    # and one of the week before: not in this week's
    early = due - timezone.timedelta(days=7)
    Overdue.objects.create(
        petition=data.petition(city.grid_a1, "HANDLING"), step=Step.HANDLE, grid=city.grid_a1,
        user=world.worker, due_at=early, recorded_at=early,
    )  # fmt: skip
    supervision.cases_open(actor=SYSTEM, now=MONDAY)
    cases = Case.objects.filter(due_at=due, node__in=[city.grid_a1, city.grid_a2]).order_by("pk")
    supervision.case_review(
        actor=world.gridhead, case=cases[0], outcome="EXCUSED", reason="MISROUTED", now=MONDAY
    )
    supervision.case_review(actor=world.gridhead, case=cases[1], outcome="PENALISED", now=MONDAY)

    bulletin = _generate(world)
    listed = _section(bulletin, "accountability")
    assert listed["total"] == 3
    assert sorted(row[5] for row in listed["rows"]) == ["Excused", "Penalised", "To review"]
    excused = next(row for row in listed["rows"] if row[5] == "Excused")
    assert excused[6] == "Misrouted" and excused[0] == "Overdue step"
    assert {row[3] for row in listed["rows"]} == {world.worker.display_name, department.name}
    outcomes = {row[0]: row[1:] for row in _section(bulletin, "accountability_outcomes")["rows"]}
    assert outcomes == {"To review": [1, 1, 0], "Excused": [1, 1, 0], "Penalised": [1, 0, 1]}
