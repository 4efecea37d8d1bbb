"""工作地图: the staff map page (Leaflet, vendored) and the vector tiles it browses the big layers with."""
from django.apps import AppConfig


class MapUIConfig(AppConfig):
    name = "apps.mapui"
    label = "mapui"
    verbose_name = "工作地图"
