"""The light sweep: set-based, idempotent, a fixed number of queries, accountability on RED."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hlgrid import workdays
from hlgrid.lights import light_at as compute_light
from hlgrid.lights import light_at_expression as light_expression
from petitions import services
from petitions.models import Light, Notification, NotificationKind, Overdue, Petition, Status, Step
from petitions.sweep import sweep
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db


def handling(people, team, *, now):
    petition = report(category=team.category, now=now)
    services.petition_verify(actor=people.worker, petition=petition, now=now)
    return services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, assignee=people.worker, now=now
    )


def test_after_the_due_time_the_sweep_turns_it_red_and_records_one_overdue_but_tells_nobody_yet(
    city, people, team
):
    """The red itself notifies nobody: the ladder tells each level it climbs to (test_ladder)."""
    start = timezone.now() - timedelta(days=30)
    petition = handling(people, team, now=start)
    assert petition.light == Light.GREEN
    call_command("sweep_lights", verbosity=0)
    petition.refresh_from_db()
    assert petition.light == Light.RED
    overdue = Overdue.objects.get()
    assert (overdue.petition, overdue.step, overdue.user, overdue.due_at) == (
        petition,
        Step.HANDLE,
        people.worker,
        petition.due_at,
    )
    assert not Notification.objects.filter(kind__in=[NotificationKind.RED, NotificationKind.CLIMBED]).exists()

    counts = sweep(now=timezone.now())
    assert counts["red"] == 0 and counts["overdue"] == 0 and counts["notified"] == 0
    call_command("sweep_lights", verbosity=0)
    assert Overdue.objects.count() == 1
    assert not Notification.objects.filter(kind=NotificationKind.RED).exists()


def test_the_assignee_is_notified_once_when_the_light_turns_yellow(city, people, team):
    now = timezone.now()
    petition = handling(people, team, now=now)
    later = petition.warn_at + timedelta(minutes=1)
    assert sweep(now=later)["yellow"] == 1
    assert sweep(now=later + timedelta(minutes=1))["yellow"] == 0
    petition.refresh_from_db()
    assert petition.light == Light.YELLOW
    yellow = Notification.objects.filter(kind=NotificationKind.YELLOW)
    assert list(yellow.values_list("recipient", flat=True)) == [people.worker.pk]
    assert Overdue.objects.count() == 0


def test_the_climb_notifications_are_emailed_after_commit_when_email_is_configured(
    city, people, team, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from hlgrid.celery import app

    app.conf.task_always_eager = True
    try:
        petition = handling(people, team, now=timezone.now() - timedelta(days=30))
        sweep(now=timezone.now())  # red: nobody told yet
        mail.outbox.clear()
        # A week later (more working hours than the ladder's interval) it climbs to the community.
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep(now=timezone.now() + timedelta(days=7))["climbed"] == 1
        assert [m.to for m in mail.outbox] == [["roadhead@example.org"]]
        assert petition.tracking_code in mail.outbox[0].subject
    finally:
        app.conf.task_always_eager = False


def test_an_extension_moves_the_deadline_and_the_sweep_lowers_the_light(city, people, team):
    petition = handling(people, team, now=timezone.now() - timedelta(days=30))
    sweep(now=timezone.now())
    petition, pending = services.petition_extend(
        actor=people.worker, petition=petition, hours=24, reason="等配件"
    )
    assert pending is not None and pending.status == "PENDING"
    petition, granted = services.petition_extend(actor=people.gridhead, petition=petition, hours=24 * 60)
    assert granted is None
    sweep(now=timezone.now())
    petition.refresh_from_db()
    assert petition.light == Light.GREEN
    assert petition.due_at > timezone.now()


def test_a_paused_petition_stops_its_clock_and_the_due_time_moves_on_resume(city, people, team):
    now = timezone.now()
    petition = handling(people, team, now=now)
    left = petition.due_at - now
    petition, pending = services.petition_pause(
        actor=people.worker, petition=petition, reason="等待配件", now=now
    )
    assert pending is not None
    petition, _ = services.petition_pause(actor=people.gridhead, petition=petition, now=now)
    assert petition.status == Status.PAUSED and petition.due_at is None
    much_later = now + timedelta(days=40)
    assert sweep(now=much_later)["red"] == 0
    petition = services.petition_resume(actor=people.worker, petition=petition, now=much_later)
    assert petition.status == Status.HANDLING
    assert petition.due_at == much_later + left
    pause = petition.pauses.get()
    assert pause.reason == "等待配件" and pause.granted_by == people.gridhead and pause.ended_at == much_later


def test_the_light_on_read_does_not_wait_for_the_sweep(city, people, team):
    petition = handling(people, team, now=timezone.now() - timedelta(days=30))
    stored = Petition.objects.get(pk=petition.pk)
    assert stored.light == Light.GREEN  # no sweep yet
    now = timezone.now()
    annotated = Petition.objects.annotate(current=light_expression(now)).get(pk=petition.pk)
    assert annotated.current == Light.RED
    assert (
        compute_light(due_at=stored.due_at, warn_at=stored.warn_at, stored=stored.light, now=now) == Light.RED
    )


def _bulk_open(count: int, grid, assignee, *, due):
    Petition.objects.bulk_create(
        [
            Petition(
                tracking_code=f"Q{i:09d}",
                status=Status.HANDLING,
                source="HOTLINE",
                description="批量",
                grid=grid,
                assignee=assignee,
                step=Step.HANDLE,
                step_started_at=due - timedelta(days=2),
                warn_at=due - timedelta(hours=12) if i % 2 else due + timedelta(days=1),
                due_at=due if i % 2 else due + timedelta(days=2),
                light=Light.GREEN,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )


def test_the_sweep_runs_the_same_number_of_queries_over_10_and_10000_open_petitions(
    city, people, team, monkeypatch
):
    # The ladder reads the working-day calendar, cached per process: warm it and keep it for the test.
    monkeypatch.setattr(workdays, "RECHECK_SECONDS", 3600)
    workdays.current(city.city.pk)
    now = timezone.now()
    _bulk_open(10, city.grid_a1, people.worker, due=now - timedelta(hours=1))
    with CaptureQueriesContext(connection) as small:
        small_counts = sweep(now=now, batch_size=10_000)
    Petition.objects.all().delete()
    Overdue.objects.all().delete()
    Notification.objects.all().delete()
    _bulk_open(10_000, city.grid_a1, people.worker, due=now - timedelta(hours=1))
    with CaptureQueriesContext(connection) as large:
        large_counts = sweep(now=now, batch_size=10_000)
    assert small_counts["red"] == 5 and large_counts["red"] == 5_000
    assert large_counts["overdue"] == 5_000
    assert len(large) == len(small)
    # Batches add a fixed number of statements each, whatever their rows.
    Petition.objects.filter(light=Light.RED).update(light=Light.GREEN)
    Overdue.objects.all().delete()
    with CaptureQueriesContext(connection) as batched:
        batched_counts = sweep(now=now, batch_size=1_000)
    assert batched_counts["batches"] == 5 and batched_counts["red"] == 5_000
    assert len(large) < len(batched) < 5 * len(large)


def test_an_unassigned_petition_turning_yellow_notifies_the_grid_s_workers(city, people, team):
    petition = report(category=team.category)
    sweep(now=petition.warn_at + timedelta(minutes=1))
    yellow = Notification.objects.filter(kind=NotificationKind.YELLOW, petition=petition)
    assert set(yellow.values_list("recipient", flat=True)) == {people.worker.pk, team.worker2.pk}


def test_a_late_verification_is_not_held_against_the_department_of_the_category(city, people, team):
    petition = report(category=team.category)
    assert petition.department == team.department
    sweep(now=petition.due_at + timedelta(minutes=1))
    overdue = Overdue.objects.get()
    assert (overdue.step, overdue.user, overdue.department, overdue.grid) == (
        Step.VERIFY,
        None,
        None,
        city.grid_a1,
    )


def test_mail_whose_task_was_lost_while_the_broker_was_down_is_sent_by_the_next_sweep(
    city, people, team, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from hlgrid.celery import app

    people.worker.email = "worker@example.org"
    people.worker.save(update_fields=["email"])
    # Taken in while the broker was down: the inbox row exists, its e-mail task was never sent.
    with django_capture_on_commit_callbacks(execute=False):
        petition = report(now=timezone.now())
    waiting = Notification.objects.filter(petition=petition, recipient=people.worker, emailed_at__isnull=True)
    assert waiting.exists()
    app.conf.task_always_eager = True
    try:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            counts = sweep(now=timezone.now())
        assert counts["notified"] == 0  # nothing new turned red or yellow, yet the mail goes out
        assert [m.to for m in mail.outbox] == [["worker@example.org"]]
        assert not waiting.exists()
    finally:
        app.conf.task_always_eager = False
