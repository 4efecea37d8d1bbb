"""界线、界桩与界线联检 (boundary lines, markers and joint inspections)."""
from django.apps import AppConfig


class BoundariesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.boundaries"
    verbose_name = "界线与界桩联检"
