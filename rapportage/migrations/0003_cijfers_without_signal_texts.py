from django.db import migrations


def remove_signal_texts(apps, schema_editor):
    """Reports built before this migration copied the text of every included signal, in
    plain text, into their stored figures (an encrypted field into a plain JSON column).
    Remove those texts. They are not needed: the stored figures feed the CSV, which has no
    texts, and a PDF is always rendered from freshly counted figures, which read the texts
    from the (encrypted) Signaal rows."""
    Jaarverslag = apps.get_model("rapportage", "Jaarverslag")
    for verslag in Jaarverslag.objects.only("id", "cijfers").iterator():
        cijfers = verslag.cijfers
        signalen = cijfers.get("signalen") if isinstance(cijfers, dict) else None
        items = signalen.get("items", []) if isinstance(signalen, dict) else []
        if any("tekst" in item for item in items):
            for item in items:
                item.pop("tekst", None)
            Jaarverslag.objects.filter(pk=verslag.pk).update(cijfers=cijfers)


class Migration(migrations.Migration):
    dependencies = [("rapportage", "0002_jaarverslag_pdf_in_database")]

    # Not reversible in substance: the texts are gone from the figures (they are still in
    # the Signaal rows, encrypted).
    operations = [migrations.RunPython(remove_signal_texts, migrations.RunPython.noop)]
