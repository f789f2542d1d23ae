from django.db import migrations, models

from articles.models import summary_of

# Tags' latest articles straight off an index (the related articles of an article page). taggit's
# own indexes are on the tag alone and on (content type, object): neither orders a tag's articles.
TAGGED_INDEX = "taggit_taggeditem_tag_type_object"


def fill_summaries(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    batch = []
    for article in Article.objects.only("pk", "excerpt", "body_html").iterator(chunk_size=500):
        article.summary = article.excerpt or summary_of(article.body_html)
        batch.append(article)
        if len(batch) == 500:
            Article.objects.bulk_update(batch, ["summary"])
            batch = []
    Article.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_search_index"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="summary",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["source_key"], name="article_source_key"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["publication", "status", "-published_at"], name="article_publication_published"
            ),
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {TAGGED_INDEX} ON taggit_taggeditem (tag_id, content_type_id, object_id)",
            f"DROP INDEX IF EXISTS {TAGGED_INDEX}",
        ),
    ]
