# One vocabulary (issue 14): the domain models name their fields in Dutch. Renames only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("instellingen", "0001_instellingen"),
    ]

    operations = [
        migrations.RenameField("instellingen", "login_record_days", "inlogregistratie_dagen"),
        migrations.RenameField("instellingen", "updated_at", "gewijzigd_op"),
    ]
