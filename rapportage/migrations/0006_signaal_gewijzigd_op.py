# Editing an included signal after a build makes the PDF stale (services.pdf_verouderd).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("rapportage", "0005_publicatie_waarden"),
    ]

    operations = [
        migrations.AddField(
            model_name="signaal",
            name="gewijzigd_op",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
