import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hlgrid.errors import InvalidInput, NotFound
from residents import services
from residents.models import Visit, VisitKind
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg_with_gps() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (42.0, 30.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_photos_are_checked_and_saved_without_exif(city, people):
    home = factories.household(city.grid_a1)
    upload = jpeg_with_gps()
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()
    upload.seek(0)
    visit = services.visit_log(actor=people.worker, household=home, photos=[upload])
    photo = visit.photos.get()
    with Image.open(photo.image.path) as saved:
        assert saved.format == "JPEG" and saved.size == (40, 30)
        assert not saved.getexif()
    assert (photo.width, photo.height) == (40, 30)


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(city, people):
    home = factories.household(city.grid_a1)
    fake = SimpleUploadedFile("p.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(InvalidInput) as error:
        services.visit_log(actor=people.worker, household=home, photos=[fake])
    assert "photos" in error.value.errors
    assert Visit.objects.count() == 0


def test_a_visit_is_immutable_and_a_correction_is_a_new_record(city, people):
    home = factories.household(city.grid_a1)
    first = services.visit_log(actor=people.worker, household=home, notes="送米面油")
    first.notes = "改过的"
    with pytest.raises(PermissionError):
        first.save()
    correction = services.visit_log(
        actor=people.worker, household=home, notes="送米面油和棉被", corrects=first
    )
    first.refresh_from_db()
    assert first.notes == "送米面油" and correction.corrects == first
    assert list(first.corrections.all()) == [correction]
    other = factories.household(city.grid_a1, door="102")
    with pytest.raises(InvalidInput):
        services.visit_log(actor=people.worker, household=other, corrects=first)


def test_the_people_seen_must_live_in_the_household(city, people):
    home, neighbour = factories.household(city.grid_a1), factories.household(city.grid_a1, door="102")
    stranger = factories.resident(neighbour)
    with pytest.raises(InvalidInput) as error:
        services.visit_log(actor=people.worker, household=home, people_seen=[stranger])
    assert "people_seen" in error.value.errors


def test_a_problem_needs_a_description(city, people):
    home = factories.household(city.grid_a1)
    with pytest.raises(InvalidInput) as error:
        services.visit_log(actor=people.worker, household=home, problem_found=True)
    assert "problem_description" in error.value.errors
    visit = services.visit_log(
        actor=people.worker, household=home, problem_found=True, problem_description="楼道灯坏了"
    )
    assert visit.problem_found and visit.grid == city.grid_a1


def test_a_worker_cannot_log_a_visit_in_another_grid(city, people):
    other = factories.household(city.grid_b1)
    with pytest.raises(NotFound):
        services.visit_log(actor=people.worker, household=other, kind=VisitKind.ROUTINE)


def test_distance_outside_the_grid_in_metres(city):
    from grids.geo import parse_boundary

    grid = parse_boundary(city.grid_a1.boundary)  # lng 129.00-129.02, lat 42.50-42.51
    assert services.distance_outside_m(grid, latitude=42.505, longitude=129.01) == 0
    east = services.distance_outside_m(grid, latitude=42.505, longitude=129.03)
    assert 800 < east < 840  # 0.01° of longitude at 42.5° N is about 820 m
    north = services.distance_outside_m(grid, latitude=42.52, longitude=129.01)
    assert 1_090 < north < 1_125


def test_a_visit_tells_the_dashboards_its_grid_changed_after_the_commit(
    city, people, django_capture_on_commit_callbacks
):
    from hlgrid import changes

    heard = []
    changes.register_listener(heard.append)
    try:
        home = factories.household(city.grid_a1)
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.visit_log(actor=people.worker, household=home)
        assert heard == [city.grid_a1.pk]
    finally:
        changes._listeners.remove(heard.append)
