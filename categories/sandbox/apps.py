from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "categories.sandbox"
    label = "sandbox"
    verbose_name = "Offline Asana sandbox"
    default_auto_field = "django.db.models.BigAutoField"
