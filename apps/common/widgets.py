"""Map widget for admin and staff forms that loads nothing from the internet.

Django's stock GIS widgets pull OpenLayers from a CDN and tiles from public servers; this one
serves OpenLayers from static/vendor and uses the configured tile URL, or no base layer."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget


class OfflineMapWidget(OpenLayersWidget):
    template_name = "gis/offline-openlayers.html"
    # Centre of our five counties' region when the field is empty.
    default_lon = 119.9
    default_lat = 30.5
    default_zoom = 8

    class Media:
        extend = False  # replace, not add to, the parent's CDN assets
        css = {"all": ("vendor/ol-7.2.2/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol-7.2.2/ol.js", "gis/js/OLMapWidget.js", "gis/offline-map-widget.js")

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context.update(
            tile_url=getattr(settings, "GEO_MZ_TILE_URL", ""),
            tile_attribution=getattr(settings, "GEO_MZ_TILE_ATTRIBUTION", ""),
            default_lon=self.attrs.get("default_lon", self.default_lon),
            default_lat=self.attrs.get("default_lat", self.default_lat),
            default_zoom=self.attrs.get("default_zoom", self.default_zoom),
        )
        # Read by static/gis/offline-map-widget.js (no inline script under our CSP).
        context["options_id"] = f"{context['id']}_geo_mz_map_options"
        context["widget_options"] = {
            key: context[key] for key in ("id", "name", "module", "map_srid", "tile_url", "tile_attribution",
                                          "default_lon", "default_lat", "default_zoom")}
        context["widget_options"]["geom_name"] = context["geom_type"]
        return context
