from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0004_drop_column")]
    operations = [
        migrations.RunSQL(
            "ALTER TABLE sandbox_note ALTER COLUMN score TYPE bigint",
            reverse_sql="ALTER TABLE sandbox_note ALTER COLUMN score TYPE integer",
        ),
    ]
