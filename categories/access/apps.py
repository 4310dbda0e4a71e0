from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Who may use the dashboard: its own app (label "access") for the sign-ins with Asana
    and the roles each person holds per workspace."""

    name = "categories.access"
    label = "access"
    verbose_name = "Access"
    default_auto_field = "django.db.models.BigAutoField"
