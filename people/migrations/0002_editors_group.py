"""The "Editors" group: everything the editors' desk needs, and nothing about users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVERYTHING = ["add", "change", "delete", "view"]
EDITOR_PERMISSIONS = {
    "articles": {
        "article": EVERYTHING,
        "publication": EVERYTHING,
        "link": EVERYTHING,
        "articlekey": EVERYTHING,
        # Mirrored images are made by the mirror (an action on articles); editors look at failures.
        "mirroredimage": ["view"],
    },
    "taggit": {"tag": EVERYTHING},
    "people": {
        "person": EVERYTHING,
        "alias": EVERYTHING,
        "mention": EVERYTHING,
        # Candidates are found by detection; editors promote, attach or ignore them.
        "namecandidate": ["view", "change"],
    },
}


def create_editors_group(apps, schema_editor):
    # Permissions are created after `migrate` finishes; on a fresh database they must exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            editors.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("articles", "0003_article_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    # Unapplying keeps the group: its members should not silently lose their role.
    operations = [migrations.RunPython(create_editors_group, migrations.RunPython.noop)]
