"""服务设施: cemeteries and columbaria, elderly canteens and meal points, community service centres."""
from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "apps.facilities"
    label = "facilities"
    verbose_name = "服务设施"
