"""The open tasks a person holds, by owner: the review queue's and the home page's "waiting for me" read
viewflow's task table through this partial index (viewflow's own indexes on the owner and on the status alone
made the database intersect 2,000 of a director's tasks with 50,000 open ones, 2 ms a page at national scale).
viewflow's table is not a model of this project: the index is written as SQL, valid on PostgreSQL and SQLite."""

from django.db import migrations

OPEN = "('NEW', 'ASSIGNED', 'STARTED')"


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_english_units"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX task_owner_open ON viewflow_task (owner_id) WHERE status IN {OPEN}",
            reverse_sql="DROP INDEX task_owner_open",
        ),
    ]
