"""In-service Party members (在职党员) on their phone pages: report (报到) to their grid, log a
service with a photo optionally, see their own record; their unit's contact (and the officials
over the alliance) read the unit's members' records; anyone else gets 404 through pages and
services alike."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from party.models import InServiceMember, InServiceRecord, MemberUnit
from party.services.alliances import inservice_member_add, inservice_member_report, inservice_service_record
from tests.factories import UserFactory
from tests.party import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(city):
    chain = pf.Chain(city)
    alliance = pf.alliance(chain)
    return pf.unit(alliance, grids=[city.grid_a1])


@pytest.fixture
def member(unit):
    account = UserFactory(username="dangyuan")
    return inservice_member_add(actor=SYSTEM, unit=unit, name="在职党员甲", user=account)


def _png() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(data, "PNG")
    return SimpleUploadedFile("service.png", data.getvalue(), content_type="image/png")


def test_a_member_reports_to_a_grid_and_logs_a_service_with_a_photo(client, member, city):
    client.force_login(member.user)
    page = client.get("/party/in-service/").content.decode()
    assert 'data-testid="inservice-report"' in page
    assert client.post("/party/in-service/", {"action": "report", "grid": city.grid_a1.pk}).status_code == 302
    member.refresh_from_db()
    assert member.grid == city.grid_a1 and member.reported_at is not None
    today = timezone.localdate().isoformat()
    response = client.post(
        "/party/in-service/",
        {"action": "log", "served_on": today, "hours": "2.5", "description": "陪老人就医", "photo": _png()},
    )
    assert response.status_code == 302
    record = InServiceRecord.objects.get()
    assert (record.hours, record.grid_id, record.recorded_by_id) == (
        pytest.approx(2.5),
        city.grid_a1.pk,
        member.user_id,
    )
    assert record.photo
    page = client.get("/party/in-service/").content.decode()
    assert "陪老人就医" in page and 'data-testid="inservice-reported"' in page
    assert client.get(f"/party/in-service/records/{record.pk}/photo/").status_code == 200


def test_bad_input_logs_nothing_and_says_why(client, member, city):
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    client.force_login(member.user)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for data in (
        {"served_on": tomorrow, "hours": "2", "description": "x"},
        {"served_on": timezone.localdate().isoformat(), "hours": "25", "description": "x"},
        {"served_on": timezone.localdate().isoformat(), "hours": "2", "description": ""},
        {"served_on": "", "hours": "2", "description": "x"},
    ):
        response = client.post("/party/in-service/", {"action": "log", **data})
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not InServiceRecord.objects.exists()


def test_only_the_member_itself_or_the_grids_staff_log_its_services(member, city, people):
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    today = timezone.localdate()
    inservice_service_record(actor=member.user, member=member, served_on=today, hours="1", description="自己")
    inservice_service_record(
        actor=people.worker, member=member, served_on=today, hours="1", description="网格员"
    )
    with pytest.raises(NotFound):
        inservice_service_record(
            actor=people.outsider, member=member, served_on=today, hours="1", description="x"
        )
    stranger = UserFactory(username="stranger")
    with pytest.raises(NotFound):
        inservice_service_record(actor=stranger, member=member, served_on=today, hours="1", description="x")
    assert InServiceRecord.objects.count() == 2


def test_a_member_who_has_not_reported_logs_nothing(member):
    with pytest.raises(InvalidInput, match="not reported"):
        inservice_service_record(
            actor=member.user, member=member, served_on=timezone.localdate(), hours="1", description="x"
        )


def test_the_units_contact_reads_its_members_records_and_nobody_elses(client, unit, member, city, people):
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    record = inservice_service_record(
        actor=member.user,
        member=member,
        served_on=timezone.localdate(),
        hours="3",
        description="清扫楼道",
        photo=_png(),
    )
    other_unit = pf.unit(unit.alliance, grids=[city.grid_a1])
    contact = UserFactory(username="lianluoyuan")
    MemberUnit.objects.filter(pk=unit.pk).update(contact_user=contact)
    client.force_login(contact)
    response = client.get(f"/party/units/{unit.pk}/")
    assert response.status_code == 200 and "清扫楼道" in response.content.decode()
    assert client.get("/party/units/").status_code == 302  # one unit: straight to it
    assert client.get(f"/party/units/{other_unit.pk}/").status_code == 404
    assert client.get(f"/party/in-service/records/{record.pk}/photo/").status_code == 200
    client.force_login(people.official)  # over the alliance's street
    assert client.get(f"/party/units/{unit.pk}/").status_code == 200
    client.force_login(people.outsider)
    assert client.get(f"/party/units/{unit.pk}/").status_code == 404
    assert client.get(f"/party/in-service/records/{record.pk}/photo/").status_code == 404
    assert client.get("/party/in-service/").status_code == 404
    client.force_login(people.worker)  # the grid's worker sees the service given in the grid, not the unit
    assert client.get(f"/party/units/{unit.pk}/").status_code == 404
    assert client.get(f"/party/in-service/records/{record.pk}/photo/").status_code == 200


def test_the_members_page_and_the_units_page_take_the_same_queries_at_two_sizes(client, unit, member, city):
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    contact = UserFactory(username="lianluoyuan2")
    MemberUnit.objects.filter(pk=unit.pk).update(contact_user=contact)

    def grow(n):
        for i in range(n):
            inservice_service_record(
                actor=SYSTEM, member=member, served_on=timezone.localdate(), hours="1", description=f"服务{i}"
            )
            other = inservice_member_add(
                actor=SYSTEM, unit=unit, name=f"党员{InServiceMember.objects.count()}"
            )
            inservice_member_report(actor=SYSTEM, member=other, grid=city.grid_a1)

    def count(user, path):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    grow(1)
    small = (count(member.user, "/party/in-service/"), count(contact, f"/party/units/{unit.pk}/"))
    grow(5)
    large = (count(member.user, "/party/in-service/"), count(contact, f"/party/units/{unit.pk}/"))
    assert small == large
