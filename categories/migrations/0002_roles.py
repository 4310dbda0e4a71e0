"""The two roles as Django groups. Names must match categories.access.roles."""

from django.db import migrations

CATEGORY_ADMINS = "Category admins"
TIME_REVIEWERS = "Time reviewers"


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    Group.objects.get_or_create(name=TIME_REVIEWERS)
    admins, _ = Group.objects.get_or_create(name=CATEGORY_ADMINS)
    # Permissions are normally created after all migrations (post_migrate); create this one
    # now so a staff Category admin can read the audit log in Django's admin.
    content_type, _ = ContentType.objects.get_or_create(app_label="categories", model="auditentry")
    view_audit, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_auditentry",
        defaults={"name": "Can view audit entry"},
    )
    admins.permissions.add(view_audit)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("categories", "0001_initial"),
    ]

    # Unapplying keeps the groups: deleting them would silently drop everyone's role.
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
