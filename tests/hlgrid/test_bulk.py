"""bulk_insert writes through COPY exactly what bulk_create writes, ids and all."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from hlgrid.bulk import bulk_insert
from petitions.models import Pause, Petition, PetitionEvent, Status
from residents.models import Resident, Visit
from tests.dashboards import data
from tests.residents import factories

COMPARED = ("name", "sex", "birth_date", "id_number", "phone", "health", "notes", "household_id")


def _residents(household, prefix: str) -> list[Resident]:
    return [
        Resident(
            household=household,
            name=f"{prefix}{n}\t名\\字\n",  # COPY's separators and escape inside a value
            sex="F",
            birth_date=datetime.date(1950 + n, 1, 2),
            id_number=f"22240319500102{n:04d}",
            id_number_hash=f"{prefix}-{n}",
            phone="" if n % 2 else f"1390000{n:04d}",
            health="高血压" if n % 3 == 0 else "",
        )
        for n in range(25)
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_writes_what_bulk_create_writes(city):
    assert connection.vendor == "postgresql"
    household = factories.household(city.grid_a1, building="1", unit="1", door="101")
    created = Resident.objects.bulk_create(_residents(household, "甲"))
    copied = bulk_insert(_residents(household, "乙"), batch_size=10)

    assert all(r.pk and not r._state.adding for r in copied)
    assert len({r.pk for r in created + copied}) == 50
    by_pk = {r.pk: r for r in Resident.objects.filter(pk__in=[r.pk for r in copied])}
    for a, b in zip(created, copied, strict=True):
        stored_a = Resident.objects.get(pk=a.pk)
        stored_b = by_pk[b.pk]
        for field in COMPARED:
            expected = getattr(stored_a, field)
            if isinstance(expected, str):
                expected = expected.replace("甲", "乙")
            assert getattr(stored_b, field) == expected, field
        assert stored_b.created_at is not None  # auto_now_add ran
    # Encrypted at rest, as bulk_create stores it: the column holds no plaintext.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, health FROM residents_resident WHERE id = %s", [copied[0].pk])
        id_number, health = cursor.fetchone()
    assert "2224031950" not in id_number and "高血压" not in health
    # The sequence moved past the ids drawn: the next ordinary insert does not collide.
    later = Resident.objects.create(
        household=household,
        name="丙",
        sex="M",
        birth_date=datetime.date(1960, 1, 1),
        id_number="222403196001010000",
        id_number_hash="丙",
    )
    assert later.pk > max(r.pk for r in copied)


@pytest.mark.postgres
@pytest.mark.django_db
def test_nulls_floats_booleans_durations_and_related_objects(city, django_user_model):
    household = factories.household(city.grid_a1, building="1", unit="1", door="101")
    worker = django_user_model.objects.create_user("w-bulk")
    when = timezone.now().replace(microsecond=123456)
    visits = bulk_insert(
        [
            Visit(
                worker=worker,
                household=household,
                grid=city.grid_a1,
                visited_at=when,
                latitude=42.5412345,
                longitude=None,
                problem_found=True,
            ),
            Visit(worker=worker, household=household, grid=city.grid_a1, visited_at=when),
        ]
    )
    first, second = (Visit.objects.get(pk=v.pk) for v in visits)
    assert (first.visited_at, first.latitude, first.longitude, first.problem_found) == (
        when,
        42.5412345,
        None,
        True,
    )
    assert second.problem_found is False and second.worker_id == worker.pk

    petition = data.petition(city.grid_a1, Status.HANDLING)
    pause = bulk_insert(
        [
            Pause(
                petition=petition,
                reason="r",
                granted_by=worker,
                started_at=when,
                due_remaining=datetime.timedelta(days=2, seconds=5, microseconds=7),
                warn_remaining=datetime.timedelta(0),
            )
        ]
    )[0]
    stored = Pause.objects.get(pk=pause.pk)
    assert stored.due_remaining == datetime.timedelta(days=2, seconds=5, microseconds=7)
    assert stored.warn_remaining == datetime.timedelta(0) and stored.ended_at is None
    # A related object saved after it was assigned is read at insert time, as bulk_create does.
    later = Petition(tracking_code="T9999999", status=Status.RECEIVED, source="WEB", description="d")
    later.grid = city.grid_a1
    event = PetitionEvent(petition=later, action="note", at=when)
    later.save()
    bulk_insert([event])
    assert PetitionEvent.objects.get(pk=event.pk).petition_id == later.pk


@pytest.mark.django_db
def test_other_databases_fall_back_to_bulk_create(city):
    household = factories.household(city.grid_a1, building="1", unit="1", door="101")
    rows = bulk_insert(_residents(household, "丁"))
    assert Resident.objects.filter(pk__in=[r.pk for r in rows]).count() == 25


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_value_copy_cannot_write_sends_the_batch_through_bulk_create(city, django_user_model):
    household = factories.household(city.grid_a1, building="1", unit="1", door="101")
    worker = django_user_model.objects.create_user("w-naive")
    naive = datetime.datetime(2026, 1, 1, 8, 0)
    rows = [Visit(worker=worker, household=household, grid=city.grid_a1, visited_at=naive) for _ in range(3)]
    with pytest.warns(RuntimeWarning, match="naive datetime"):  # Django's own handling of it
        bulk_insert(rows)
    assert Visit.objects.filter(pk__in=[r.pk for r in rows]).count() == 3
