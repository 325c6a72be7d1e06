"""Petition test data: categories through the ORM, petitions through the services."""

import io
from datetime import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from petitions import services
from petitions.models import Category, Level, LimitUnit, Petition, Source
from tests.factories import default_city

# A point inside each grid of tests.factories.SmallCity (lat, lng).
POINT_A1 = (42.505, 129.01)
POINT_A2 = (42.515, 129.01)
POINT_B1 = (42.505, 129.03)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("city", "code")

    parent = None
    city = factory.LazyAttribute(lambda o: o.parent.city if o.parent else default_city())

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"类别{n}")
    keywords = ""
    level = Level.GRID
    verify_hours = 24
    handle_limit = 3
    handle_unit = LimitUnit.WORKDAYS
    callback_days = 3


def garbage_category(department=None) -> Category:
    parent = CategoryFactory(code="SR", name="市容环境")
    return CategoryFactory(
        code="SR01",
        name="垃圾清运",
        parent=parent,
        keywords="垃圾 清运 垃圾桶",
        department=department,
        level=Level.GRID,
        verify_hours=8,
        handle_limit=2,
        handle_unit=LimitUnit.WORKDAYS,
    )


def report(
    *, at: tuple[float, float] = POINT_A1, now: datetime | None = None, actor=None, **extra
) -> Petition:
    """A resident's report (no account); with `actor`, staff take it in from `source`."""
    fields = {
        "description": extra.pop("description", "小区门口垃圾桶满了没人清运"),
        "latitude": at[0],
        "longitude": at[1],
        "now": now,
        **extra,
    }
    if actor is None:
        return services.public_petition_report(**fields)
    return services.petition_intake(actor=actor, source=fields.pop("source", Source.HOTLINE), **fields)


def jpeg(*, gps: tuple[float, float] | None = None, size=(64, 48), name="photo.jpg") -> SimpleUploadedFile:
    """A JPEG with EXIF (camera make, and GPS when asked)."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    if gps:

        def dms(value):
            value = abs(value)
            d = int(value)
            m = int((value - d) * 60)
            s = round(((value - d) * 60 - m) * 60 * 100)
            return ((d, 1), (m, 1), (s, 100))

        from PIL.TiffImagePlugin import IFDRational

        def rationals(value):
            return tuple(IFDRational(n, d) for n, d in dms(value))

        exif[0x8825] = {1: "N", 2: rationals(gps[0]), 3: "E", 4: rationals(gps[1])}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
