"""路网: the routable road network built from the roads of a county, and network distances."""
from django.apps import AppConfig


class RoadnetConfig(AppConfig):
    name = "apps.roadnet"
    label = "roadnet"
    verbose_name = "路网"
