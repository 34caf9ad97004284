# One vocabulary (issue 14): the domain models name their fields in Dutch. Renames only, so
# every value stays. The two check constraints and the index on the invitation's expiry name
# renamed fields: they are dropped before the renames and made again after them (the
# constraints under their own names, the index under the name Django derives from the new
# column). Dropped first because SQLite rebuilds the table for a constraint, and a rebuild
# with a constraint on a column that no longer exists fails.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_vier_ogen"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="organisatie", name="organisatie_k_at_least_3"),
        migrations.RemoveConstraint(
            model_name="organisatie", name="organisatie_retention_positive"
        ),
        migrations.RemoveIndex(model_name="uitnodiging", name="accounts_ui_expires_2cccdc_idx"),
        migrations.RenameField("organisatie", "name", "naam"),
        migrations.RenameField("organisatie", "retention_months", "bewaartermijn_maanden"),
        migrations.RenameField("organisatie", "anonymity_threshold", "anonimiteitsdrempel"),
        migrations.RenameField("organisatie", "is_active", "actief"),
        migrations.RenameField("organisatie", "created_at", "aangemaakt_op"),
        migrations.RenameField("lidmaatschap", "created_at", "aangemaakt_op"),
        migrations.RenameField("uitnodiging", "created_at", "aangemaakt_op"),
        migrations.RenameField("uitnodiging", "expires_at", "verloopt_op"),
        migrations.RenameField("uitnodiging", "used_at", "gebruikt_op"),
        migrations.RenameField("uitnodiging", "revoked_at", "ingetrokken_op"),
        migrations.AlterModelOptions(
            name="organisatie",
            options={
                "ordering": ["naam"],
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
            },
        ),
        migrations.AddConstraint(
            model_name="organisatie",
            constraint=models.CheckConstraint(
                condition=models.Q(("anonimiteitsdrempel__gte", 3)),
                name="organisatie_k_at_least_3",
            ),
        ),
        migrations.AddConstraint(
            model_name="organisatie",
            constraint=models.CheckConstraint(
                condition=models.Q(("bewaartermijn_maanden__gte", 1)),
                name="organisatie_retention_positive",
            ),
        ),
        migrations.AddIndex(
            model_name="uitnodiging",
            index=models.Index(fields=["verloopt_op"], name="accounts_ui_verloop_af677c_idx"),
        ),
    ]
