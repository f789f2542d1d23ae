"""Mentions' foreign keys lose their own indexes: each column leads a composite index already
(article, status, person) and (person, status, article), which serve every look-up and cascade.

Only the two indexes are dropped: Django's AlterField would copy the whole table on SQLite and
check every row's foreign key again on PostgreSQL, for an archive's hundreds of thousands of
mentions. The names are the ones Django gave the indexes, the same on both databases.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {"article_id": "people_mention_article_id_b44c269c", "person_id": "people_mention_person_id_3092e309"}


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_search_title_windows"),
        ("people", "0006_mention_article_status_person"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "people_mention" ("{column}")',
                )
                for column, index in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="mention",
                    name="article",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
                migrations.AlterField(
                    model_name="mention",
                    name="person",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mentions",
                        to="people.person",
                        verbose_name="person",
                    ),
                ),
            ],
        ),
    ]
