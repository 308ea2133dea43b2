from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "CREATE INDEX sandbox_note_body_idx ON sandbox_note (body)",
            reverse_sql="DROP INDEX sandbox_note_body_idx",
        ),
    ]
