"""The social workers' certificates (expiring soon flagged) and three-level training records:
the rules, the pages, and outsiders answered 404."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from party.models import Certificate, CertificateKind, TrainingLevel, TrainingRecord
from party.services.training import certificate_record, expiring_soon, training_record
from tests.party import factories as pf

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC)


@pytest.fixture
def worker(city):
    return pf.social_worker(city.grid_a1)


@time_machine.travel(NOW)
def test_certificates_are_checked_and_flagged_when_expiring(worker):
    soon = certificate_record(
        actor=SYSTEM,
        worker=worker,
        kind=CertificateKind.SOCIAL_WORK,
        number="SW-1",
        issued_on=datetime.date(2023, 1, 10),
        expires_on=datetime.date(2027, 1, 10),
    )
    later = certificate_record(
        actor=SYSTEM,
        worker=worker,
        kind=CertificateKind.FIRST_AID,
        number="FA-1",
        issued_on=datetime.date(2025, 1, 10),
        expires_on=datetime.date(2028, 1, 10),
    )
    assert expiring_soon(soon) and not expiring_soon(later)
    with pytest.raises(InvalidInput, match="already on record"):
        certificate_record(
            actor=SYSTEM,
            worker=worker,
            kind=CertificateKind.SOCIAL_WORK,
            number="SW-1",
            issued_on=datetime.date(2024, 1, 1),
        )
    with pytest.raises(InvalidInput, match="expires after"):
        certificate_record(
            actor=SYSTEM,
            worker=worker,
            kind=CertificateKind.OTHER,
            number="X",
            issued_on=datetime.date(2024, 1, 1),
            expires_on=datetime.date(2023, 1, 1),
        )
    assert Certificate.objects.count() == 2


@time_machine.travel(NOW)
def test_training_hours_are_kept_to_the_tenth_and_checked(worker):
    record = training_record(
        actor=SYSTEM,
        worker=worker,
        level=TrainingLevel.CITY,
        title="社工实务",
        held_on=datetime.date(2026, 5, 1),
        hours="3.5",
    )
    assert record.hours == Decimal("3.5")
    for bad in ("0", "abc", "201"):
        with pytest.raises(InvalidInput):
            training_record(
                actor=SYSTEM,
                worker=worker,
                level=TrainingLevel.STREET,
                title="x",
                held_on=datetime.date(2026, 5, 1),
                hours=bad,
            )
    with pytest.raises(InvalidInput, match="once it is held"):
        training_record(
            actor=SYSTEM,
            worker=worker,
            level=TrainingLevel.STREET,
            title="x",
            held_on=datetime.date(2026, 12, 1),
            hours=2,
        )
    assert TrainingRecord.objects.count() == 1


@time_machine.travel(NOW)
def test_the_pages_keep_records_and_hide_the_worker_from_outsiders(worker, people, client):
    with pytest.raises(NotFound):
        training_record(
            actor=people.outsider,
            worker=worker,
            level=TrainingLevel.CITY,
            title="x",
            held_on=datetime.date(2026, 5, 1),
            hours=1,
        )
    client.force_login(people.official)
    url = f"/party/social-workers/{worker.pk}/"
    client.post(
        url + "edit/",
        {"action": "training", "level": "STREET", "title": "街道培训", "held_on": "2026-06-01", "hours": "4"},
    )
    client.post(
        url + "edit/",
        {
            "action": "certificate",
            "kind": "FIRST_AID",
            "number": "FA-9",
            "issued_on": "2024-01-01",
            "expires_on": "2026-12-01",
        },
    )
    page = client.get(url).content.decode()
    assert "街道培训" in page and "FA-9" in page
    listing = client.get("/party/social-workers/")
    assert listing.status_code == 200
    assert listing.context["workers"][0].training_hours == Decimal("4.0")
    assert listing.context["workers"][0].expiring_count == 1
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url + "edit/", {"action": "training"}).status_code == 404
    assert list(client.get("/party/social-workers/").context["workers"]) == []
