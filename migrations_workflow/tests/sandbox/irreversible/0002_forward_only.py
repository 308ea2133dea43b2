from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sandbox", "0001_initial")]
    operations = [migrations.RunSQL("INSERT INTO sandbox_note (id) VALUES (1)")]
