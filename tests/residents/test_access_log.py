import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from residents.admin import AccessLogAdmin
from residents.models import AccessLog
from residents.services import access_log_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_records_who_whom_which_field_when_and_from_where():
    actor = UserFactory()
    subject = UserFactory(name="被查看的人")
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Mobile Safari")
    row = access_log_record(actor=actor, subject=subject, field="phone", request=request)
    row.refresh_from_db()
    assert (row.actor, row.subject_type, row.subject_id, row.field) == (
        actor,
        "hlgrid.User",
        str(subject.pk),
        "phone",
    )
    assert row.subject_label == "被查看的人"
    assert row.ip == "10.1.2.3" and row.user_agent == "Mobile Safari"
    assert row.at is not None and row.at.tzinfo is not None


def test_it_works_without_a_request():
    row = access_log_record(actor=UserFactory(), subject=UserFactory(), field="id_number")
    assert row.ip is None and row.user_agent == ""


def test_rows_cannot_be_changed_or_deleted():
    row = access_log_record(actor=UserFactory(), subject=UserFactory(), field="phone")
    row.field = "health"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=row.pk).update(field="health")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get(pk=row.pk).field == "phone"


def test_admins_read_it_and_nobody_edits_it():
    admin = AccessLogAdmin(AccessLog, site)
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    assert admin.has_view_permission(request)
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)
    request.user = UserFactory(username="plain-staff", is_staff=True)
    assert not admin.has_view_permission(request)


def test_the_admin_pages_show_residents_masked(city):
    from django.test import Client

    from tests.residents import factories

    person = factories.resident(factories.household(city.grid_a1), phone="13812345678")
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for url in (
        "/admin/residents/resident/",
        f"/admin/residents/resident/{person.pk}/change/",
        "/admin/residents/keygroup/",
        "/admin/residents/building/",
        "/admin/residents/unit/",
        "/admin/residents/household/",
        "/admin/residents/keymembership/",
        "/admin/residents/visit/",
        "/admin/residents/accesslog/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert person.id_number not in html and "13812345678" not in html
