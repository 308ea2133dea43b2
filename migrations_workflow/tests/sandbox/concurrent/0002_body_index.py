from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("sandbox", "0001_initial")]
    operations = [
        AddIndexConcurrently(
            model_name="note",
            index=models.Index(fields=["body"], name="sandbox_note_body_idx"),
        ),
    ]
