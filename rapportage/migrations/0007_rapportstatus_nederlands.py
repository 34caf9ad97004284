# One vocabulary (issue 14): the stored values of RapportStatus become Dutch, like the member
# names and every other status in vpcase. Every row is mapped, both ways; "concept" stays.
#
# run_before: every rapportage migration up to here runs before accounts renames the fields of
# Organisatie, because 0002 (the report ordering, organisatie__name) and 0004
# (organisatie.anonymity_threshold) read them under their old names. A run_before rather than
# a dependency in accounts keeps the arrow from the feature to the core.

from django.db import migrations, models

NEW = {
    "queued": "in_wachtrij",
    "collecting": "verzamelen",
    "rendering": "opmaken",
    "ready": "klaar",
    "failed": "mislukt",
    "published": "gepubliceerd",
}
OLD = {new: old for old, new in NEW.items()}


def _map(apps, mapping):
    Jaarverslag = apps.get_model("rapportage", "Jaarverslag")
    for old, new in mapping.items():
        Jaarverslag.objects.filter(status=old).update(status=new)


def to_dutch(apps, schema_editor):
    _map(apps, NEW)


def to_english(apps, schema_editor):
    _map(apps, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("rapportage", "0006_signaal_gewijzigd_op"),
    ]
    run_before = [("accounts", "0004_dutch_field_names")]

    operations = [
        migrations.RunPython(to_dutch, to_english),
        migrations.AlterField(
            model_name="jaarverslag",
            name="status",
            field=models.CharField(
                choices=[
                    ("concept", "Draft"),
                    ("in_wachtrij", "Queued"),
                    ("verzamelen", "Collecting figures"),
                    ("opmaken", "Making the PDF"),
                    ("klaar", "Ready to check"),
                    ("mislukt", "Failed"),
                    ("gepubliceerd", "Published"),
                ],
                default="concept",
                max_length=20,
            ),
        ),
    ]
