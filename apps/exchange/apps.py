"""Data exchange: OGC API – Features, layer exports with a CRS choice, and file imports."""
from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.exchange"
    verbose_name = "数据交换"
