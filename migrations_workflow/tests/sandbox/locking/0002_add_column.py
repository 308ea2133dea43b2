from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE sandbox_note ADD COLUMN body text",
            reverse_sql="ALTER TABLE sandbox_note DROP COLUMN body",
        ),
    ]
