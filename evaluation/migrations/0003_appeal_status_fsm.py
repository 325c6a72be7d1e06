# An appeal's status changes only through its guarded transitions (django-fsm, protected).

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_window_services_source"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appeal",
            name="status",
            field=django_fsm.FSMField(
                choices=[("PENDING", "Pending"), ("ACCEPTED", "Accepted"), ("REJECTED", "Rejected")],
                default="PENDING",
                max_length=10,
                protected=True,
                verbose_name="status",
            ),
        ),
    ]
