"""Staff accounts, roles and jurisdictions, department API keys, login lockout."""
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from . import lockout, schema  # noqa: F401  (failed-login signal; OpenAPI key scheme)
