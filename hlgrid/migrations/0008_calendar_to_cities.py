"""The working calendar's rows live in grids now, one calendar per city (grids 0006 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("hlgrid", "0007_user_phone_encrypted"),
        ("grids", "0006_city_calendar"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="calendaryear",
            name="loaded_by",
        ),
        migrations.DeleteModel(
            name="CalendarDay",
        ),
        migrations.DeleteModel(
            name="CalendarYear",
        ),
    ]
