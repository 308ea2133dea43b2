from django.db import migrations

from core.migration_operations import trigram_search_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("sandbox", "0002_body_index")]
    # CREATE INDEX CONCURRENTLY IF NOT EXISTS "sandbox_note_body_trgm" (raw SQL).
    operations = [trigram_search_indexes("sandbox_note", ["body"])]
