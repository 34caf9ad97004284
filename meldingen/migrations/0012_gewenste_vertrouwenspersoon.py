# One vocabulary (issue 14): Verzoek.gewenste_vp is spelled out. A rename, so every chosen
# confidant stays. Its index is dropped before the rename and made again after it, under the
# name Django derives from the new column.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meldingen", "0011_concept_moves_to_concepten"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="verzoek", name="meldingen_v_gewenst_cb5b58_idx"),
        migrations.RenameField("verzoek", "gewenste_vp", "gewenste_vertrouwenspersoon"),
        migrations.AddIndex(
            model_name="verzoek",
            index=models.Index(
                fields=["gewenste_vertrouwenspersoon", "status"],
                name="meldingen_v_gewenst_024310_idx",
            ),
        ),
    ]
