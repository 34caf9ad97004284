# The draft model, taken over from meldingen (issue 14) in the migration state only: its
# table, with every draft in it, was renamed to concepten_concept by
# meldingen.0011_concept_moves_to_concepten, which runs before this one (its run_before).

import django.db.models.deletion
import django.utils.timezone
import django_cryptography.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Concept",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sleutel", models.CharField(max_length=100)),
                        (
                            "data",
                            django_cryptography.fields.encrypt(models.JSONField(default=dict)),
                        ),
                        (
                            "bijgewerkt_op",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "sleutel"), name="concept_unique_per_form"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
