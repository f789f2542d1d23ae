from django.db import migrations

import articles.models
from articles.search import create_index, drop_index
from articles.search_text import document_lexemes

BATCH = 2000


def fill_title_lexemes(apps, schema_editor):
    """The titles' lexemes, from the folded titles already stored (PostgreSQL only: SQLite's index reads the title)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    documents = apps.get_model("articles", "SearchDocument").objects.order_by("pk").values_list("pk", "title")
    after = 0
    while batch := list(documents.filter(pk__gt=after)[:BATCH]):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_searchdocument AS document SET title_lexemes = CAST(filled.lexemes AS tsvector)"
                " FROM unnest(%s::bigint[], %s::text[]) AS filled (id, lexemes) WHERE document.article_id = filled.id",
                [[pk for pk, _ in batch], [document_lexemes(title) for _, title in batch]],
            )
        after = batch[-1][0]


def add_column(apps, schema_editor):
    # ALTER TABLE, also on SQLite, where Django would copy the table into a new one for a column
    # without NULL, and so drop the triggers that keep the FTS5 index in step.
    kind = "tsvector" if schema_editor.connection.vendor == "postgresql" else "text"
    schema_editor.execute(f"ALTER TABLE articles_searchdocument ADD COLUMN title_lexemes {kind} NOT NULL DEFAULT ''")


def drop_column(apps, schema_editor):
    schema_editor.execute("ALTER TABLE articles_searchdocument DROP COLUMN title_lexemes")


def create_title_index(apps, schema_editor):
    create_index(schema_editor, part="0008")


def drop_title_index(apps, schema_editor):
    drop_index(schema_editor, part="0008")


class Migration(migrations.Migration):
    """Search finds title matches through an index of the titles alone on PostgreSQL, instead of
    checking the title of every match of the whole text."""

    dependencies = [
        ("articles", "0007_search_rank_windows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="title_lexemes",
                    field=articles.models.LexemesField(blank=True, default=""),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(fill_title_lexemes, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_title_index, drop_title_index),
    ]
