"""标准地址与数字门牌: roads, 片区, standard addresses (GB/T 35639), door plates and QR scans."""
from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "apps.addresses"
    label = "addresses"
    verbose_name = "标准地址与门牌"

    def ready(self) -> None:
        from . import job_handlers  # noqa: F401  (registers the batch-matching job handler)
