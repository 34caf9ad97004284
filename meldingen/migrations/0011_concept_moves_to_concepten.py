# Drafts move to their own core app, vpcase.concepten (issue 14). The rows stay where they
# are: the table is renamed to concepten_concept and concepten's 0001 takes the model over in
# the migration state only, so every stored draft stays readable (django-cryptography encrypts
# with the installation's keys, nothing of the model or table goes into a value).
#
# First the `melding` column goes: nothing ever set it (drafts are deleted by their key).
# run_before, not a dependency in concepten, keeps the arrow from the feature to the core: a
# fresh database creates the table here (0001) and renames it before concepten claims it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meldingen", "0010_notify_marker"),
    ]
    run_before = [
        ("concepten", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(model_name="concept", name="melding"),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="concept", table="concepten_concept"),
            ],
            state_operations=[
                migrations.DeleteModel(name="concept"),
            ],
        ),
    ]
