"""Issue 17, item 9: uploaded photos leave the server only through checked views.

Visit photos, petition photos and inspection evidence are answered to users whose scope
covers the record, and petition photos to the reporter through the tracking code (their own
report's photos and the resolution photos); everyone else gets 404, and /media/ is closed.
In production the front proxy sends the bytes (X-Accel-Redirect / X-Sendfile).
"""

import pytest
from django.urls import reverse

from evaluation import services as evaluation_services
from petitions import services as petition_services
from residents import services as resident_services
from tests.evaluation import factories as evaluation_factories
from tests.factories import DepartmentFactory
from tests.petitions.factories import POINT_A1, garbage_category, jpeg, report
from tests.residents import factories as resident_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_SENDFILE = ""


@pytest.fixture
def category(city):
    return garbage_category(DepartmentFactory(code="CG", name="城管局"))


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _stored(field_file) -> bytes:
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


# --- visit photos ----------------------------------------------------------------------------
@pytest.fixture
def visit_photo(city, people):
    home = resident_factories.household(city.grid_a1)
    visit = resident_services.visit_log(actor=people.worker, household=home, photos=[jpeg()])
    return visit.photos.get()


def test_a_visit_photo_is_answered_with_its_bytes_to_the_worker_of_its_grid(client, people, visit_photo):
    response = _as(client, people.worker).get(visit_photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert _bytes(response) == _stored(visit_photo.image)
    assert "private" in response["Cache-Control"]


def test_a_visit_photo_is_404_for_an_outsider_an_assessor_and_anonymous(client, people, visit_photo):
    url = visit_photo.get_absolute_url()
    for user in (people.outsider, people.assessor, None):
        assert _as(client, user).get(url).status_code == 404


def test_the_household_page_and_the_api_link_visit_photos_through_the_checked_view(
    client, people, visit_photo, api_client
):
    url = reverse("residents:visit_photo", args=[visit_photo.pk])
    page = _as(client, people.worker).get(f"/residents/households/{visit_photo.visit.household_id}/")
    assert url in page.content.decode() and "/media/" not in page.content.decode()
    api_client.force_authenticate(people.worker)
    answer = api_client.get(f"/api/v1/visits/{visit_photo.visit_id}/").json()
    assert [p["url"] for p in answer["photos"]] == [url]


def test_media_is_no_longer_served_openly_even_in_debug(client, people, visit_photo, settings):
    import importlib

    from django.urls import clear_url_caches

    import portal.urls

    settings.DEBUG = True  # the URLs are built as `make run` builds them
    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        assert _as(client, people.worker).get(f"/media/{visit_photo.image.name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(portal.urls)
        clear_url_caches()


# --- petition photos -------------------------------------------------------------------------
def _resolved_with_photo(people, petition):
    petition_services.petition_verify(actor=people.worker, petition=petition)
    petition_services.petition_classify(
        actor=people.worker, petition=petition, category=petition.category, assignee=people.worker
    )
    return petition_services.petition_resolve(
        actor=people.worker, petition=petition, note="已清运", photos=[jpeg(name="fixed.jpg")]
    )


@pytest.fixture
def reported(city, people, category):
    """Two reports of the same problem with a photo each; the second merged into the first,
    which is then resolved with a photo."""
    parent = report(category=category, at=POINT_A1, photos=[jpeg(name="parent.jpg")])
    child = report(category=category, at=POINT_A1, photos=[jpeg(name="child.jpg")])
    petition_services.petition_merge(actor=people.worker, petition=child, into=parent)
    _resolved_with_photo(people, parent)
    return parent, child


def _photo(petition, kind):
    return petition.attachments.get(kind=kind)


def test_staff_covering_the_petition_get_its_photo_and_others_get_404(client, people, reported):
    parent, _child = reported
    photo = _photo(parent, "INTAKE")
    response = _as(client, people.gridhead).get(photo.get_absolute_url())
    assert response.status_code == 200 and _bytes(response) == _stored(photo.file)
    assert "private" in response["Cache-Control"]
    for user in (people.outsider, None):
        assert _as(client, user).get(photo.get_absolute_url()).status_code == 404


def test_the_reporter_gets_their_own_photo_through_the_tracking_code(client, reported):
    parent, _child = reported
    photo = _photo(parent, "INTAKE")
    response = client.get(photo.tracking_url(parent.tracking_code))
    assert response.status_code == 200 and _bytes(response) == _stored(photo.file)
    assert "private" in response["Cache-Control"]


def test_a_tracking_code_does_not_open_the_photo_of_another_petition(client, city, category, reported):
    parent, child = reported
    stranger = report(category=category, at=POINT_A1, photos=[jpeg(name="other.jpg")])
    # another report's photo, through a valid code that is not its own
    assert client.get(_photo(stranger, "INTAKE").tracking_url(parent.tracking_code)).status_code == 404
    # a merged reporter follows the parent, but never sees the photos other residents sent with it
    assert client.get(_photo(parent, "INTAKE").tracking_url(child.tracking_code)).status_code == 404
    # an unknown code opens nothing
    assert client.get(_photo(parent, "INTAKE").tracking_url("HL-NOPE-0000")).status_code == 404


def test_a_merged_reporter_sees_their_own_photo_and_the_resolution_photo(client, reported):
    parent, child = reported
    own, fixed = _photo(child, "INTAKE"), _photo(parent, "RESOLUTION")
    for photo in (own, fixed):
        assert client.get(photo.tracking_url(child.tracking_code)).status_code == 200
    page = client.get(f"/petitions/track/{child.tracking_code}/").content.decode()
    assert own.tracking_url(child.tracking_code) in page and fixed.tracking_url(child.tracking_code) in page
    assert _photo(parent, "INTAKE").tracking_url(child.tracking_code) not in page


def test_the_public_api_lists_the_reporter_s_photos_behind_the_tracking_code(api_client, reported):
    parent, child = reported
    answer = api_client.get(f"/api/v1/public/petitions/{child.tracking_code}/").json()
    urls = [p["url"] for p in answer["photos"]]
    assert urls == [
        _photo(child, "INTAKE").tracking_url(child.tracking_code),
        _photo(parent, "RESOLUTION").tracking_url(child.tracking_code),
    ]
    assert not any("/media/" in url for url in urls)


def test_the_staff_page_and_api_link_petition_photos_through_the_checked_view(
    client, people, api_client, reported
):
    parent, _child = reported
    urls = {a.get_absolute_url() for a in parent.attachments.all()}
    page = _as(client, people.worker).get(f"/petitions/{parent.pk}/").content.decode()
    assert all(url in page for url in urls) and "/media/" not in page
    api_client.force_authenticate(people.worker)
    answer = api_client.get(f"/api/v1/petitions/{parent.pk}/attachments/").json()
    assert {a["url"] for a in answer} == urls


# --- inspection evidence ---------------------------------------------------------------------
def _evidence(people, mode):
    evaluation_factories.backdate_posts()
    period = evaluation_factories.period(people.assessor)
    inspection = evaluation_services.inspection_record(
        actor=people.assessor,
        period=period,
        worker=people.worker,
        method="LOOK",
        score=90,
        mode=mode,
        photos=[jpeg(name="scene.jpg")],
    )
    return inspection.photos.get()


def test_inspection_evidence_is_answered_to_the_assessor_and_the_inspected_worker(client, people):
    photo = _evidence(people, "OPEN")
    for user in (people.assessor, people.worker):
        response = _as(client, user).get(photo.get_absolute_url())
        assert response.status_code == 200 and _bytes(response) == _stored(photo.image)
    for user in (people.outsider, None):
        assert _as(client, user).get(photo.get_absolute_url()).status_code == 404


def test_covert_evidence_stays_hidden_from_the_inspected_worker_until_publication(client, people):
    photo = _evidence(people, "COVERT")
    assert _as(client, people.worker).get(photo.get_absolute_url()).status_code == 404
    assert _as(client, people.assessor).get(photo.get_absolute_url()).status_code == 200


# --- how the bytes are sent ------------------------------------------------------------------
def test_in_nginx_mode_the_answer_is_empty_with_an_internal_redirect(client, people, settings, visit_photo):
    settings.MEDIA_SENDFILE = "nginx"
    settings.MEDIA_INTERNAL_PREFIX = "/protected-media/"
    response = _as(client, people.worker).get(visit_photo.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{visit_photo.image.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]


def test_in_nginx_mode_an_outsider_still_gets_404_and_no_redirect(client, people, settings, visit_photo):
    settings.MEDIA_SENDFILE = "nginx"
    response = _as(client, people.outsider).get(visit_photo.get_absolute_url())
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_in_apache_mode_the_answer_names_the_file_for_x_sendfile(client, people, settings, visit_photo):
    settings.MEDIA_SENDFILE = "apache"
    response = _as(client, people.worker).get(visit_photo.get_absolute_url())
    assert response["X-Sendfile"] == visit_photo.image.path
    assert response.content == b""


def test_a_stored_file_that_is_not_a_cleaned_photo_is_offered_as_a_download(tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from hlgrid import media

    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("old/page.html", ContentFile(b"<script>alert(1)</script>"))

    class Stored:
        def __init__(self):
            self.name, self.storage = name, storage

    response = media.file_response(Stored())
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"


def test_a_photo_whose_file_is_gone_is_404(client, people, visit_photo):
    visit_photo.image.storage.delete(visit_photo.image.name)
    assert _as(client, people.worker).get(visit_photo.get_absolute_url()).status_code == 404


def test_media_sendfile_accepts_only_the_known_modes(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from hlgrid.env import env_choice

    monkeypatch.setenv("MEDIA_SENDFILE", "lighttpd")
    with pytest.raises(ImproperlyConfigured, match="MEDIA_SENDFILE"):
        env_choice("MEDIA_SENDFILE", ["nginx", "apache", ""], "")
    monkeypatch.setenv("MEDIA_SENDFILE", "nginx")
    assert env_choice("MEDIA_SENDFILE", ["nginx", "apache", ""], "") == "nginx"


def test_every_photo_link_in_templates_and_serializers_uses_a_checked_view():
    """A grep that keeps it fixed: nobody links a photo field's own (/media/) URL again."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"\.(image|file)\.url\b")
    offenders = [
        str(path.relative_to(root))
        for app in ("residents", "petitions", "evaluation", "dashboards", "party", "portal", "templates")
        for path in (root / app).rglob("*")
        if path.suffix in {".html", ".py"} and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_admin_links_uploads_through_the_checked_views_not_media(client, people, reported):
    from hlgrid.models import User

    admin = User.objects.create_superuser("media_admin", password="x-admin-pass-1")
    photo = _evidence(people, "OPEN")
    attachment = _photo(reported[0], "INTAKE")
    client.force_login(admin)
    pages = {
        f"/admin/evaluation/inspection/{photo.inspection_id}/change/": photo.get_absolute_url(),
        f"/admin/petitions/attachment/{attachment.pk}/change/": attachment.get_absolute_url(),
        "/admin/petitions/attachment/": attachment.get_absolute_url(),
    }
    for page, checked in pages.items():
        html = client.get(page).content.decode()
        assert f'href="{checked}"' in html, page
        assert "/media/" not in html, page
