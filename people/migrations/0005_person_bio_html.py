from django.db import migrations, models

from articles.rendering import render_markdown


def render_bios(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    people = list(Person.objects.exclude(bio="").only("pk", "bio"))
    for person in people:
        person.bio_html = render_markdown(person.bio)
    Person.objects.bulk_update(people, ["bio_html"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_indexes_for_related_and_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="bio_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_bios, migrations.RunPython.noop, elidable=True),
    ]
