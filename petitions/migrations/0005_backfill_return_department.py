"""Attribute the returns (退单) recorded before PetitionEvent.department existed.

The return service wrote the department's name before the first ": " of the event's note
(`petition_return`), and department names are unique, so the name finds the department.
A note whose prefix names no department (renamed since, or written by hand) stays
unattributed rather than guessed.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Department = apps.get_model("grids", "Department")
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    by_name = dict(Department.objects.values_list("name", "id"))
    if not by_name:
        return
    rows = PetitionEvent.objects.filter(action="return", department__isnull=True).only("id", "note")
    for row in rows.iterator(chunk_size=2000):
        name, sep, _reason = row.note.partition(": ")
        department_id = by_name.get(name) if sep else None
        if department_id:
            PetitionEvent.objects.filter(pk=row.pk).update(department_id=department_id)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_event_department"), ("grids", "0003_post_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
