"""分析: coverage (radius, along the road network), facility siting and cemetery suitability, with
every run stored so scenarios can be compared."""
from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "apps.analysis"
    label = "analysis"
    verbose_name = "覆盖与选址分析"

    def ready(self) -> None:
        from . import job_handlers  # noqa: F401  (registers the analysis job handlers)
