from django.db import migrations

from articles.search import create_index, drop_index


def add_title_windows(apps, schema_editor):
    create_index(schema_editor, part="0010")


def remove_title_windows(apps, schema_editor):
    drop_index(schema_editor, part="0010")


class Migration(migrations.Migration):
    """PostgreSQL only: title matches, too, can keep to the newest documents
    (articles.search.newest_matches). Nothing to do on SQLite."""

    dependencies = [
        ("articles", "0009_indexes_for_the_desk"),
    ]

    operations = [
        migrations.RunPython(add_title_windows, remove_title_windows),
    ]
