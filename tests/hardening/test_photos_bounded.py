"""Photos are judged from their headers before a pixel is decoded: a decompression bomb (a
small file of a huge image) is refused with a 400 on `photos`, and one request never buys
more decoding than the budget, wherever photos arrive. "Before decoding" is checked by making
Pillow's decoder fail if it is ever called, not by timing anything."""

import contextlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageFile, JpegImagePlugin

from hlgrid import photos
from hlgrid.errors import InvalidInput
from petitions.models import Attachment, Petition
from tests.petitions.conftest import Team
from tests.petitions.factories import POINT_A1, jpeg, report

pytestmark = [
    pytest.mark.django_db,
    # Pillow warns while it opens a huge image: the sizes are read before it ever gets there
    pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning"),
]

PUBLIC = "/api/v1/public/petitions/"


def _png(mode: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb_png() -> bytes:
    """A 1-bit 12000×12000 PNG: 144 megapixels in about 85 KB."""
    return _png("1", (12000, 12000))


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    """An 8000×8000 JPEG: 64 megapixels."""
    out = io.BytesIO()
    Image.new("L", (8000, 8000), 128).save(out, format="JPEG", quality=50)
    return out.getvalue()


@pytest.fixture(scope="module")
def large_png() -> bytes:
    """6000×6000: 36 megapixels, under the limit of one photo."""
    return _png("1", (6000, 6000))


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@contextlib.contextmanager
def no_decoding():
    """Fail the test if Pillow decodes any image inside the block."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"decoded a {self.size[0]}×{self.size[1]} image")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Image.Image, "load", refuse)
        patch.setattr(ImageFile.ImageFile, "load", refuse)
        yield


@pytest.fixture
def team(city, people):
    return Team(city, people)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _public_report(api_client, files: list):
    return api_client.post(
        PUBLIC,
        {"description": "路灯坏了", "latitude": POINT_A1[0], "longitude": POINT_A1[1], "photos": files},
        format="multipart",
    )


def _nothing_stored(media) -> bool:
    stored_files = [p for p in media.rglob("*") if p.is_file()]
    return not Petition.objects.exists() and not Attachment.objects.exists() and not stored_files


# --- the public report --------------------------------------------------------------------------


def test_a_144_megapixel_png_is_refused_through_the_public_api_before_it_is_decoded(
    api_client, city, team, bomb_png, _media
):
    assert len(bomb_png) < 200_000  # the point of a bomb: small on the wire
    with no_decoding():
        response = _public_report(api_client, [upload(bomb_png)])
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert _nothing_stored(_media)


def test_five_bombs_in_one_report_are_refused_before_any_is_decoded(api_client, city, team, bomb_png, _media):
    with no_decoding():
        response = _public_report(api_client, [upload(bomb_png, f"{i}.png") for i in range(5)])
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert _nothing_stored(_media)


def test_a_64_megapixel_jpeg_is_refused_through_the_public_api_before_it_is_decoded(
    api_client, city, team, big_jpeg, _media
):
    with no_decoding():
        response = _public_report(api_client, [upload(big_jpeg, "big.jpg", "image/jpeg")])
    assert response.status_code == 400
    assert "photos" in response.json()["errors"]
    assert _nothing_stored(_media)


def test_a_normal_photo_still_passes_and_is_stored_without_exif(api_client, city, team):
    response = _public_report(api_client, [jpeg(gps=(42.53, 129.0), size=(1600, 1200))])
    assert response.status_code == 201, response.json()
    (attachment,) = Attachment.objects.all()
    with Image.open(attachment.file.path) as stored:
        assert stored.size == (1600, 1200) and dict(stored.getexif()) == {}


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_kept_at_the_largest_side(monkeypatch):
    photo = jpeg(size=(6000, 4000))
    drafts = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        drafts.append(size)
        return original(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    clean = photos.clean(photo)
    assert drafts[0] == (2048, 1366)  # libjpeg decodes 3000×2000 (1/2 scale), not 6000×4000
    assert (clean.width, clean.height) == (2048, 1365)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("JPEG", {}),
        ("JPEG", {"progressive": True}),
        ("JPEG", {"exif": b"Exif\x00\x00" + b"\x00" * 64}),
        ("PNG", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
    ids=["jpeg", "progressive-jpeg", "jpeg-with-exif", "png", "webp", "webp-lossless"],
)
def test_the_size_read_from_the_header_is_the_size_pillow_finds(fmt, options):
    out = io.BytesIO()
    Image.new("RGB", (321, 123), (10, 200, 30)).save(out, format=fmt, **options)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as image:
        assert photos._header_size(data) == image.size == (321, 123)


# --- the work of one request --------------------------------------------------------------------


def test_photos_over_the_pixel_budget_of_a_request_are_refused_before_any_is_decoded(large_png):
    assert 3 * 36_000_000 > photos.MAX_TOTAL_PIXELS >= 36_000_000
    uploads = [upload(large_png, f"{i}.png") for i in range(3)]
    with no_decoding(), pytest.raises(InvalidInput) as refused:
        photos.clean_all(uploads)
    assert "photos" in refused.value.errors


def test_more_photos_than_the_count_limit_are_refused_before_any_is_read():
    uploads = [jpeg() for _ in range(photos.MAX_COUNT + 1)]
    with no_decoding(), pytest.raises(InvalidInput) as refused:
        photos.clean_all(uploads)
    assert "photos" in refused.value.errors


def test_a_jpeg_with_more_scans_than_any_encoder_writes_is_refused_before_it_is_decoded():
    crafted = jpeg().read() + b"\xff\xda\x00\x02" * (photos.MAX_JPEG_SCANS + 1)
    with no_decoding(), pytest.raises(InvalidInput):
        photos.clean(upload(crafted, "scans.jpg", "image/jpeg"))


def test_a_webp_with_a_huge_canvas_is_refused_before_pillow_s_webp_parser_runs(monkeypatch):
    from PIL import WebPImagePlugin

    def refuse(self):
        raise AssertionError("the WebP parser ran (it allocates the whole canvas)")

    monkeypatch.setattr(WebPImagePlugin.WebPImageFile, "_open", refuse)
    width = height = 16000
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + b"\0" * 4
    vp8x += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + vp8x
    crafted = b"RIFF" + len(body).to_bytes(4, "little") + body
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        photos.clean(upload(crafted, "huge.webp", "image/webp"))
    assert refused.value.errors["photos"] == ["This photo has too many pixels."]


def test_only_the_parsers_of_the_formats_taken_ever_run():
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="GIF")
    with no_decoding(), translation.override("en"), pytest.raises(InvalidInput) as refused:
        photos.clean(upload(out.getvalue(), "a.gif", "image/gif"))
    assert refused.value.errors["photos"] == ["Photos must be JPEG, PNG or WebP images."]


def test_the_gps_position_is_read_from_the_header_without_decoding(bomb_png):
    photo = jpeg(gps=(42.5312, 129.0051))
    with no_decoding():
        lat, lng = photos.gps(photo)
        with pytest.raises(InvalidInput):
            photos.gps(upload(bomb_png))
    assert abs(lat - 42.5312) < 1e-3 and abs(lng - 129.0051) < 1e-3


# --- every place photos arrive ----------------------------------------------------------------


def test_the_photo_gps_endpoint_refuses_a_bomb_before_decoding(api_client, bomb_png):
    with no_decoding():
        response = api_client.post(f"{PUBLIC}photo-gps/", {"photo": upload(bomb_png)}, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()["errors"]


def test_the_report_page_refuses_a_bomb_before_decoding(client, city, team, bomb_png, _media):
    form = {"description": "路灯坏了", "latitude": POINT_A1[0], "longitude": POINT_A1[1]}
    with no_decoding():
        page = client.post("/petitions/report/", {**form, "photos": [upload(bomb_png)]})
    assert page.status_code == 200  # the form again, with the error
    assert _nothing_stored(_media)


def test_a_petition_attachment_refuses_a_bomb_before_decoding(api_client, city, people, team, bomb_png):
    petition = report(category=team.category)
    api_client.force_authenticate(people.worker)
    with no_decoding():
        response = api_client.post(
            f"/api/v1/petitions/{petition.pk}/attachments/", {"photo": upload(bomb_png)}, format="multipart"
        )
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not petition.attachments.exists()


def test_a_visit_refuses_a_bomb_before_decoding(api_client, city, people, bomb_png):
    from residents.models import Visit
    from tests.residents import factories as homes

    home = homes.household(city.grid_a1)
    api_client.force_authenticate(people.worker)
    with no_decoding():
        response = api_client.post(
            "/api/v1/visits/", {"household": home.pk, "photos": [upload(bomb_png)]}, format="multipart"
        )
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not Visit.objects.exists()


def test_an_inspection_refuses_a_bomb_before_decoding(api_client, city, people, bomb_png):
    from evaluation.models import Inspection
    from tests.evaluation import factories as evaluation

    evaluation.backdate_posts()
    period = evaluation.period(people.assessor)
    api_client.force_authenticate(people.assessor)
    body = {"period": period.pk, "worker": people.worker.pk, "method": "RATE", "score": "91"}
    with no_decoding():
        response = api_client.post(
            "/api/v1/evaluation/inspections/", {**body, "photos": [upload(bomb_png)]}, format="multipart"
        )
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not Inspection.objects.exists()
