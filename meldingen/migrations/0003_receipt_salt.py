"""A random, installation-wide salt for receipt-code hashes, made once here.

It is not derived from SECRET_KEY on purpose: rotating the keys must not make every
anonymous mailbox unreachable. It is not a secret either; it prevents precomputed tables.
"""

import secrets

from django.db import migrations


def create_salt(apps, schema_editor):
    Instelling = apps.get_model("meldingen", "Instelling")
    Instelling.objects.get_or_create(
        sleutel="receipt_salt", defaults={"waarde": secrets.token_hex(16)}
    )


class Migration(migrations.Migration):
    dependencies = [("meldingen", "0002_instelling_verzoek_bericht_and_more")]
    operations = [migrations.RunPython(create_salt, migrations.RunPython.noop)]
