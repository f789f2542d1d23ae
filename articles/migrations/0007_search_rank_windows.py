from django.db import migrations

from articles.search import create_index, drop_index


def add_search_windows(apps, schema_editor):
    create_index(schema_editor, part="0007")


def remove_search_windows(apps, schema_editor):
    drop_index(schema_editor, part="0007")


class Migration(migrations.Migration):
    """PostgreSQL only: an index on the search rank, and a matching function that can keep to the
    newest documents (articles.search.newest_matches). Nothing to do on SQLite."""

    dependencies = [
        ("articles", "0006_article_summary"),
    ]

    operations = [
        migrations.RunPython(add_search_windows, remove_search_windows),
    ]
