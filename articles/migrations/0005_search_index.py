import django.db.models.deletion
from django.db import migrations, models

import articles.models
from articles.models import index_all_articles
from articles.search import create_index, drop_index


def index_existing_articles(apps, schema_editor):
    index_all_articles(apps.get_model("articles", "Article"), apps.get_model("articles", "SearchDocument"))


def create_search_index(apps, schema_editor):
    create_index(schema_editor, part="0005")


def drop_search_index(apps, schema_editor):
    drop_index(schema_editor, part="0005")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_page_cache_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("title", models.TextField()),
                ("body", models.TextField()),
                ("rank", models.BigIntegerField()),
                ("lexemes", articles.models.LexemesField(blank=True)),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
            },
        ),
        migrations.RunPython(index_existing_articles, migrations.RunPython.noop),
        # The database's own index over the documents (FTS5 on SQLite, GIN on PostgreSQL).
        migrations.RunPython(create_search_index, drop_search_index),
    ]
