# The status of a whistle and of a handling request changes only through guarded
# django-fsm transitions (protected fields); the column itself is unchanged.

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="handlingrequest",
            name="status",
            field=django_fsm.FSMField(
                choices=[("PENDING", "Pending"), ("GRANTED", "Granted"), ("DENIED", "Denied")],
                default="PENDING",
                max_length=8,
                protected=True,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="whistle",
            name="status",
            field=django_fsm.FSMField(
                choices=[("OPEN", "Open"), ("CLOSED", "Closed")],
                default="OPEN",
                max_length=8,
                protected=True,
                verbose_name="status",
            ),
        ),
    ]
