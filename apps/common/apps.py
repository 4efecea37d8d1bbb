"""Shared kernel app: SRIDs, coordinate maths, errors, pagination, history, vector file I/O."""
from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "apps.common"
    label = "common"
    verbose_name = "公共"
