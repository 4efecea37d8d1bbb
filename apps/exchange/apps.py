"""Data exchange: OGC API – Features, layer exports with a CRS choice, and file imports."""
from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from . import job_handlers  # noqa: F401  (registers the export job handler)
