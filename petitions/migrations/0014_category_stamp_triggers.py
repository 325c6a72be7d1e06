"""The database bumps a city's category stamp (hlgrid.TreeLock "categories:<city id>") on every
insert, update and delete of petitions_category, whoever writes (the services, the admin, a bulk
update, the demo): the intake's process copies of the catalogue (petitions.catalogue) compare it
and are never stale. An update that moves a category to another city bumps both cities."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION petitions_category_stamp() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO hlgrid_treelock (name, version, changed_at)
        VALUES ('categories:' || OLD.city_id, 1, now())
        ON CONFLICT (name) DO UPDATE SET version = hlgrid_treelock.version + 1, changed_at = now();
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.city_id <> OLD.city_id) THEN
        INSERT INTO hlgrid_treelock (name, version, changed_at)
        VALUES ('categories:' || NEW.city_id, 1, now())
        ON CONFLICT (name) DO UPDATE SET version = hlgrid_treelock.version + 1, changed_at = now();
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER petitions_category_stamp AFTER INSERT OR UPDATE OR DELETE ON petitions_category
    FOR EACH ROW EXECUTE FUNCTION petitions_category_stamp();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS petitions_category_stamp ON petitions_category;
DROP FUNCTION IF EXISTS petitions_category_stamp();
"""


def _sqlite_bump(row: str) -> str:
    return (
        "INSERT INTO hlgrid_treelock (name, version, changed_at) "
        f"VALUES ('categories:' || {row}.city_id, 1, CURRENT_TIMESTAMP) "
        "ON CONFLICT (name) DO UPDATE SET version = version + 1, changed_at = CURRENT_TIMESTAMP;"
    )


SQLITE_FORWARD = [
    f"CREATE TRIGGER petitions_category_stamp_insert AFTER INSERT ON petitions_category "
    f"BEGIN {_sqlite_bump('NEW')} END;",
    f"CREATE TRIGGER petitions_category_stamp_update AFTER UPDATE ON petitions_category "
    f"BEGIN {_sqlite_bump('OLD')} END;",
    f"CREATE TRIGGER petitions_category_stamp_moved AFTER UPDATE OF city_id ON petitions_category "
    f"WHEN NEW.city_id <> OLD.city_id BEGIN {_sqlite_bump('NEW')} END;",
    f"CREATE TRIGGER petitions_category_stamp_delete AFTER DELETE ON petitions_category "
    f"BEGIN {_sqlite_bump('OLD')} END;",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS petitions_category_stamp_{suffix};"
    for suffix in ("insert", "update", "moved", "delete")
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0013_leaner_indexes"),
        ("hlgrid", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
