"""The two editorial roles as groups: Editors draft and send to review,
Publishers also publish, withdraw and delete published records.

Editors hold the delete permissions too, so that they may discard a draft;
services.record_delete and the admin refuse them a published record.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PUBLISHERS = "Publishers"
EDITOR_ACTIONS = ("add", "change", "delete", "view")


def create_groups(apps, schema_editor):
    # On a fresh database the permissions are created by post_migrate, after
    # every migration has run: create briefings' own now, from this state.
    app_config = apps.get_app_config("briefings")
    app_config.models_module = True
    create_permissions(
        app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps
    )
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    permissions = Permission.objects.using(db).filter(
        content_type__app_label="briefings"
    )
    editors, _created = Group.objects.using(db).get_or_create(name=EDITORS)
    editors.permissions.add(
        *(p for p in permissions if p.codename.split("_")[0] in EDITOR_ACTIONS)
    )
    publishers, _created = Group.objects.using(db).get_or_create(name=PUBLISHERS)
    publishers.permissions.add(*permissions)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    db = schema_editor.connection.alias
    Group.objects.using(db).filter(name__in=(EDITORS, PUBLISHERS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("briefings", "0002_mention_proposals"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
