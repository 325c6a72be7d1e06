from django.db import migrations

# The five key groups (五类人群) and how often their members are visited; editable in the admin.
DEFAULT_GROUPS = [
    ("重病患者", 7, "患重大疾病、需要经常照看的居民"),
    ("留守儿童", 14, "父母外出务工、由他人监护的未成年人"),
    ("残障人士", 14, "持证或事实上的残疾人"),
    ("独居/空巢老人", 7, "独自居住或子女不在身边的老年人"),
    ("困难家庭", 30, "低保、特困等生活困难的家庭"),
]


def create_groups(apps, schema_editor):
    KeyGroup = apps.get_model("residents", "KeyGroup")
    for order, (name, interval, description) in enumerate(DEFAULT_GROUPS, 1):
        KeyGroup.objects.get_or_create(
            name=name,
            defaults={"visit_interval_days": interval, "description": description, "order": order},
        )


def remove_groups(apps, schema_editor):
    KeyGroup = apps.get_model("residents", "KeyGroup")
    KeyGroup.objects.filter(
        name__in=[name for name, _, _ in DEFAULT_GROUPS], memberships__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("residents", "0002_places_people_visits")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
