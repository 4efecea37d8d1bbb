"""地名: the place-name gazetteer with its legal lifecycle, standard pinyin and heritage list."""
from django.apps import AppConfig


class PlacenamesConfig(AppConfig):
    name = "apps.placenames"
    label = "placenames"
    verbose_name = "地名管理"
