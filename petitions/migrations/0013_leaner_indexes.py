"""The petition and overdue tables keep only the indexes that pull their weight.

A light update the sweep cannot keep on its page (a mass expiry fills the pages) writes an entry
in every index of the table, and a mass expiry writes an overdue row per petition: the single-
column indexes of foreign keys that a composite index or the unique constraint already leads
with are dropped, and the rare ones (merged, taken over) become partial. Only the indexes go:
Django's AlterField would also drop and re-add each foreign key, scanning the whole table to
validate it under a lock; the constraints stay as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (model, column) of the indexes dropped.
DROPPED = [
    ("overdue", "department_id"),
    ("overdue", "petition_id"),
    ("overdue", "user_id"),
    ("petition", "assignee_id"),
    ("petition", "category_id"),
    ("petition", "department_id"),
    ("petition", "grid_id"),
    ("petition", "merged_into_id"),
    ("petition", "taken_over_by_id"),
]


def _names(apps, schema_editor):
    for model_name, column in DROPPED:
        table = apps.get_model("petitions", model_name)._meta.db_table
        # The name Django gave the index when it created it (the same on every backend).
        yield table, column, schema_editor._create_index_name(table, [column], suffix="")


def drop_indexes(apps, schema_editor):
    for _table, _column, name in _names(apps, schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    q = schema_editor.quote_name
    for table, column, name in _names(apps, schema_editor):
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {q(name)} ON {q(table)} ({q(column)})")


class Migration(migrations.Migration):
    dependencies = [
        ("grids", "0006_city_calendar"),
        ("petitions", "0012_closed_place_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="overdue",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="overdues",
                        to="grids.department",
                    ),
                ),
                migrations.AlterField(
                    model_name="overdue",
                    name="petition",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="overdues",
                        to="petitions.petition",
                    ),
                ),
                migrations.AlterField(
                    model_name="overdue",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="overdues",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible worker",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_petitions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible worker",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="petitions",
                        to="petitions.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="petitions",
                        to="grids.department",
                        verbose_name="department",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="grid",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="petitions",
                        to="grids.gridnode",
                        verbose_name="grid",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged",
                        to="petitions.petition",
                        verbose_name="merged into",
                    ),
                ),
                migrations.AlterField(
                    model_name="petition",
                    name="taken_over_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="taken over by",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="petition_merged_into",
            ),
        ),
        migrations.AddIndex(
            model_name="petition",
            index=models.Index(
                condition=models.Q(("taken_over_by__isnull", False)),
                fields=["taken_over_by"],
                name="petition_taken_over",
            ),
        ),
    ]
