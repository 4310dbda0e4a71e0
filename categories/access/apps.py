from django.apps import AppConfig


class AccessConfig(AppConfig):
    """Who may use the dashboard: its own app (label "access") for the sign-ins with Asana
    and the roles each person holds per workspace."""

    name = "categories.access"
    label = "access"
    verbose_name = "Access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from categories.access.tokens import grant_forget

        # Signing out forgets the person's Asana tokens: the dashboard keeps none of a
        # person who is not signed in (their running jobs stop, saying why).
        user_logged_out.connect(grant_forget, dispatch_uid="access.grant_forget")
