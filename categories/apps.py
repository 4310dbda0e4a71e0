from django.apps import AppConfig


class CategoriesConfig(AppConfig):
    name = "categories"
    verbose_name = "Time tracking categories"
    default_auto_field = "django.db.models.BigAutoField"
