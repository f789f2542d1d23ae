from django.db import migrations

from articles.search import add_windows


def add_search_windows(apps, schema_editor):
    add_windows(schema_editor)


class Migration(migrations.Migration):
    """PostgreSQL only: an index on the search rank, and a matching function that can keep to the
    newest documents (articles.search.newest_matches). Nothing to do on SQLite."""

    dependencies = [
        ("articles", "0006_article_summary"),
    ]

    operations = [
        migrations.RunPython(add_search_windows, migrations.RunPython.noop),
    ]
