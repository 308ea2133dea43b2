from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0001_initial")]
    operations = [
        migrations.RunSQL(
            "CREATE TABLE sandbox_second (id integer PRIMARY KEY)",
            reverse_sql="DROP TABLE sandbox_second",
        ),
    ]
