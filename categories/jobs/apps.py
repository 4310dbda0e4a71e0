from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "categories.jobs"
    label = "jobs"
    verbose_name = "Time moves"
    default_auto_field = "django.db.models.BigAutoField"
