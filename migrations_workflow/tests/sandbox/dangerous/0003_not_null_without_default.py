from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0002_blocking_index")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE sandbox_note ADD COLUMN title text NOT NULL",
            reverse_sql="ALTER TABLE sandbox_note DROP COLUMN title",
        ),
    ]
