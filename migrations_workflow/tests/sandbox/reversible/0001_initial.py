from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.RunSQL(
            "CREATE TABLE sandbox_note (id integer PRIMARY KEY)",
            reverse_sql="DROP TABLE sandbox_note",
        ),
    ]
