# One vocabulary (issue 14): the reports' ordering follows Organisatie.name to its new name,
# after accounts has renamed it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rapportage", "0007_rapportstatus_nederlands"),
        ("accounts", "0004_dutch_field_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="jaarverslag",
            options={"ordering": ["-jaar", "organisatie__naam"]},
        ),
    ]
