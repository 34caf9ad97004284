# Issue 15, point 6: a conversation's time of day and the next appointment's time (both
# optional, so every existing row keeps its date and simply has no time), and no next
# appointment on a closed case any more.

from django.db import migrations, models


def clear_appointments_of_closed_cases(apps, schema_editor):
    """A closed case has no next appointment (services.melding_close clears it from now on);
    cases closed before that kept theirs. The conversations keep what was agreed then."""
    Melding = apps.get_model("meldingen", "Melding")
    Melding.objects.filter(status="afgesloten", volgende_afspraak__isnull=False).update(
        volgende_afspraak=None, volgende_afspraak_tijd=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meldingen", "0012_gewenste_vertrouwenspersoon"),
    ]

    operations = [
        migrations.AddField(
            model_name="gesprek",
            name="tijd",
            field=models.TimeField(blank=True, null=True, verbose_name="time"),
        ),
        migrations.AddField(
            model_name="gesprek",
            name="volgende_afspraak_tijd",
            field=models.TimeField(
                blank=True, null=True, verbose_name="time of the next appointment"
            ),
        ),
        migrations.AddField(
            model_name="melding",
            name="volgende_afspraak_tijd",
            field=models.TimeField(
                blank=True, null=True, verbose_name="time of the next appointment"
            ),
        ),
        migrations.RunPython(clear_appointments_of_closed_cases, migrations.RunPython.noop),
    ]
