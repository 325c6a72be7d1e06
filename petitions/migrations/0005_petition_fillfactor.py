"""Room on each page of the petition table for the sweep's light updates to stay HOT.

With the default fillfactor (100) a freshly written page has no space left, so a mass
expiry rewrote every index entry of every petition even though no index holds the light
(measured: 0 % HOT over 1,000,000 rows). PostgreSQL only; applies to pages written from now.
"""

from django.db import migrations


def _fillfactor(value: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("petitions", "Petition")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_scale_indexes")]

    operations = [migrations.RunPython(_fillfactor(80), _fillfactor(100))]
