"""行政区划: hierarchy, codes, geometry and change history."""
from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "apps.divisions"
    label = "divisions"
    verbose_name = "行政区划"
