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
