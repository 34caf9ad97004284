# Hourly, coalesced notifications (issue 13): an employee's request or message leaves a marker
# on the request instead of queueing a task at the moment it was sent.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meldingen", "0009_vier_ogen"),
    ]

    operations = [
        migrations.AddField(
            model_name="verzoek",
            name="melden_vanaf",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="verzoek",
            index=models.Index(
                condition=models.Q(("melden_vanaf__isnull", False)),
                fields=["melden_vanaf"],
                name="verzoek_melden_idx",
            ),
        ),
    ]
