from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from evaluation.models import Inspection
from tests.evaluation import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _photo(name="scene.jpg"):
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_an_inspection_entered_on_the_page_keeps_its_evidence_photos(world, client):
    period = factories.period(world.assessor)
    client.force_login(world.assessor)
    response = client.post(
        f"/evaluation/periods/{period.pk}/inspect",
        {
            "worker": world.worker.pk,
            "method": "LOOK",
            "mode": "COVERT",
            "score": "88.5",
            "notes": "楼道堆放杂物",
            "photos": [_photo("a.jpg"), _photo("b.jpg")],
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.worker, inspection.grid, inspection.inspector) == (
        world.worker,
        world.city.grid_a1,
        world.assessor,
    )
    assert inspection.photos.count() == 2


def test_a_bad_score_is_shown_in_the_form_and_saves_nothing(world, client):
    period = factories.period(world.assessor)
    client.force_login(world.assessor)
    page = client.post(
        f"/evaluation/periods/{period.pk}/inspect",
        {"worker": world.worker.pk, "method": "LOOK", "mode": "OPEN", "score": "130"},
    )
    assert page.status_code == 200
    assert 'data-testid="error-score"' in page.content.decode()
    assert not Inspection.objects.exists()


def test_the_api_takes_an_inspection_with_a_photo(world, api_client):
    period = factories.period(world.assessor)
    api_client.force_authenticate(world.assessor)
    response = api_client.post(
        "/api/v1/evaluation/inspections/",
        {
            "period": period.pk,
            "worker": world.worker.pk,
            "method": "RATE",
            "score": "91",
            "photos": [_photo()],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["photos"]) == 1


def test_only_workers_can_be_inspected(world):
    from evaluation import services
    from hlgrid.errors import InvalidInput

    period = factories.period(world.assessor)
    with pytest.raises(InvalidInput) as caught:
        services.inspection_record(
            actor=world.assessor, period=period, worker=world.gridhead, method="LOOK", score=90
        )
    assert "worker" in caught.value.errors


def test_evidence_photos_are_stored_without_exif_and_a_bad_one_stores_nothing(world):
    from evaluation import services
    from hlgrid.errors import InvalidInput

    period = factories.period(world.assessor)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's make: metadata the cleaner must drop
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 30)).save(buffer, "JPEG", exif=exif)
    tagged = SimpleUploadedFile("tagged.jpg", buffer.getvalue(), content_type="image/jpeg")
    inspection = services.inspection_record(
        actor=world.assessor, period=period, worker=world.worker, method="LOOK", score=90, photos=[tagged]
    )
    stored = inspection.photos.get()
    with stored.image.open("rb") as handle, Image.open(handle) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (40, 30)

    fake = SimpleUploadedFile("fake.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as caught:
        services.inspection_record(
            actor=world.assessor,
            period=period,
            worker=world.worker,
            method="LOOK",
            score=90,
            photos=[_photo(), fake],
        )
    assert "photos" in caught.value.errors
    assert Inspection.objects.count() == 1


def _offered(page) -> set[int]:
    """The worker ids the inspection form offers (its radio buttons)."""
    import re

    return {int(v) for v in re.findall(r'name="worker" value="(\d+)"', page.content.decode())}


def test_the_form_finds_the_worker_by_name_or_grid_instead_of_listing_everyone(world, client, monkeypatch):
    from evaluation import views

    period = factories.period(world.assessor)
    client.force_login(world.assessor)
    url = f"/evaluation/periods/{period.pk}/inspect"
    # A small scope is offered whole.
    assert {world.worker.pk, world.colleague.pk, world.a2_worker.pk} <= _offered(client.get(url))

    monkeypatch.setattr(views, "INSPECT_CHOICES", 2)  # a street of 269 workers, in miniature
    page = client.get(url)
    assert _offered(page) == set() and 'data-testid="worker-search-count"' in page.content.decode()
    by_grid = _offered(client.get(url, {"q": world.city.grid_a2.name}))
    assert by_grid == {world.a2_worker.pk}
    by_name = _offered(client.get(url, {"q": world.colleague.username}))
    assert by_name == {world.colleague.pk}

    # The worker chosen stays offered when the form comes back with an error, whatever the search.
    bad_score = {"worker": world.worker.pk, "method": "LOOK", "mode": "OPEN", "score": "130"}
    page = client.post(f"{url}?q={world.city.grid_a2.name}", bad_score)
    assert world.worker.pk in _offered(page) and not Inspection.objects.exists()


def test_someone_who_is_not_a_worker_in_scope_cannot_be_inspected(world, client):
    from tests.factories import UserFactory

    nobody = UserFactory(username="p_no_post")
    period = factories.period(world.assessor)
    client.force_login(world.assessor)
    page = client.post(
        f"/evaluation/periods/{period.pk}/inspect",
        {"worker": nobody.pk, "method": "LOOK", "mode": "OPEN", "score": "90"},
    )
    assert page.status_code == 200 and 'data-testid="error-worker"' in page.content.decode()
    assert nobody.pk not in _offered(page)
    assert not Inspection.objects.exists()
