"""Staff accounts, roles and jurisdictions, department API keys, login lockout."""
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import lockout  # noqa: F401  (connects the failed-login signal)
