"""Each city keeps its own working calendar: the calendar's rows move from hlgrid (one for the
whole deployment) to grids, with a city; every city gets a copy of the calendar it followed.
The old tables go in hlgrid 0008, after this copy."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_to_cities(apps, schema_editor):
    OldYear, OldDay = apps.get_model("hlgrid", "CalendarYear"), apps.get_model("hlgrid", "CalendarDay")
    Year, Day = apps.get_model("grids", "CalendarYear"), apps.get_model("grids", "CalendarDay")
    GridNode = apps.get_model("grids", "GridNode")
    years = list(OldYear.objects.all())
    days = list(OldDay.objects.all())
    for city in GridNode.objects.filter(parent=None, kind="CITY"):
        Year.objects.bulk_create(
            [Year(city=city, year=y.year, loaded_by_id=y.loaded_by_id, loaded_at=y.loaded_at) for y in years]
        )
        Day.objects.bulk_create(
            [
                Day(
                    city=city,
                    date=d.date,
                    kind=d.kind,
                    name=d.name,
                    statutory=d.statutory,
                    created_by_id=d.created_by_id,
                    created_at=d.created_at,
                )
                for d in days
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0005_city_required"),
        ("hlgrid", "0007_user_phone_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "kind",
                    models.CharField(
                        choices=[("HOLIDAY", "Day off"), ("WORKDAY", "Working day")],
                        max_length=8,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=64, verbose_name="name")),
                ("statutory", models.BooleanField(default=False, verbose_name="from the statutory calendar")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="entered")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "city",
                    models.ForeignKey(
                        limit_choices_to={"kind": "CITY"},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.gridnode",
                        verbose_name="city",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
            ],
            options={
                "verbose_name": "calendar day",
                "verbose_name_plural": "calendar days",
                "ordering": ["city", "date"],
                "constraints": [
                    models.UniqueConstraint(fields=("city", "date"), name="calendar_day_per_city")
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("loaded_at", models.DateTimeField(auto_now_add=True, verbose_name="loaded")),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "city",
                    models.ForeignKey(
                        limit_choices_to={"kind": "CITY"},
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="grids.gridnode",
                        verbose_name="city",
                    ),
                ),
                (
                    "loaded_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="loaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "calendar year",
                "verbose_name_plural": "calendar years",
                "ordering": ["city", "year"],
                "constraints": [
                    models.UniqueConstraint(fields=("city", "year"), name="calendar_year_per_city")
                ],
            },
        ),
        migrations.RunPython(copy_to_cities, migrations.RunPython.noop),
    ]
