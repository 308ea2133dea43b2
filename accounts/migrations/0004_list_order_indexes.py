"""The users list in its order (email, then Django's tie-break -pk), as an index.

Every page of the admin's list sorted all the users first (10,000 at the large
preset: 3.4 ms for the first page, 6.9 for page 50, growing with the table).
Built concurrently: no write waits for it.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ('accounts', '0003_json_limits'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='user',
            index=models.Index(fields=['email', '-id'], name='users_email_order_idx'),
        ),
    ]
