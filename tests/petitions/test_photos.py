"""Photos: a real image, a size limit, EXIF (and its GPS) stripped before storing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hlgrid import photos
from hlgrid.errors import InvalidInput
from tests.petitions.factories import jpeg, report

pytestmark = pytest.mark.django_db


def test_the_photo_s_gps_position_is_offered_before_it_is_stripped():
    lat, lng = photos.gps(jpeg(gps=(42.5312, 129.0051)))
    assert abs(lat - 42.5312) < 1e-3 and abs(lng - 129.0051) < 1e-3
    assert photos.gps(jpeg()) is None


def test_stored_photos_carry_no_exif(city, team, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    petition = report(category=team.category, photos=[jpeg(gps=(42.5312, 129.0051))])
    attachment = petition.attachments.get()
    with Image.open(attachment.file.path) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (64, 48)
    assert str(tmp_path) in attachment.file.path


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(city, team):
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as error:
        report(category=team.category, photos=[fake])
    assert "photos" in error.value.errors
    from petitions.models import Petition

    assert Petition.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused(city, team, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 100)
    with pytest.raises(InvalidInput):
        report(category=team.category, photos=[jpeg()])
