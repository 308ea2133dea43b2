from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0003_not_null_without_default")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE sandbox_note DROP COLUMN body",
            reverse_sql="ALTER TABLE sandbox_note ADD COLUMN body text",
        ),
    ]
