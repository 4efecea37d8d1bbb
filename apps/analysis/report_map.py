"""The folium HTML map of an analysis run that a planner downloads: facilities, service areas
(coverage), uncovered addresses, chosen sites (siting) or candidate cells (suitability).

folium's defaults load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; government intranets
are offline, so the map is built from plain Leaflet layers only (circle markers, GeoJSON, no icon
plugins) and its only assets point at our own static Leaflet, by absolute URL so the downloaded
file still finds them on the intranet server."""
from __future__ import annotations

from collections.abc import Callable

import folium

LEAFLET_JS = "vendor/leaflet-1.9.4/leaflet.js"
LEAFLET_CSS = "vendor/leaflet-1.9.4/leaflet.css"
MAX_POINTS = 5000  # uncovered addresses drawn at most (the exports have them all)


def offline_map(centre: tuple[float, float], static_url: Callable[[str], str], tiles: str | None) -> folium.Map:
    """A folium map whose JS/CSS are our Leaflet only; a base map only when one is configured."""
    m = folium.Map(location=[centre[1], centre[0]], zoom_start=11, tiles=None, control_scale=True)
    m.default_js = [("leaflet", static_url(LEAFLET_JS))]
    m.default_css = [("leaflet_css", static_url(LEAFLET_CSS))]
    if tiles:
        folium.TileLayer(tiles=tiles, attr="配置的底图", name="底图").add_to(m)
    return m


def points_layer(name: str, points: list[tuple[float, float, str]], colour: str, radius: float = 4,
                 show: bool = True) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    for lon, lat, label in points:
        folium.CircleMarker(location=[lat, lon], radius=radius, color=colour, weight=1, fill=True,
                            fill_opacity=0.8, tooltip=label).add_to(group)
    return group


def polygons_layer(name: str, geojson: dict, colour: str, tooltip_fields: list[str] | None = None) -> folium.GeoJson:
    style = {"color": colour, "weight": 1, "fillColor": colour, "fillOpacity": 0.15}
    tooltip = folium.GeoJsonTooltip(fields=tooltip_fields) if tooltip_fields else None
    return folium.GeoJson(geojson, name=name, style_function=lambda _feature: style, tooltip=tooltip)


def legend(m: folium.Map, title: str, rows: list[tuple[str, str]]) -> None:
    items = "".join(f'<div><span style="display:inline-block;width:10px;height:10px;background:{c};'
                    f'margin-right:6px"></span>{label}</div>' for c, label in rows)
    html = (f'<div style="position:fixed;bottom:20px;left:20px;z-index:999;background:#fff;padding:8px;'
            f'border:1px solid #999;font:13px sans-serif"><b>{title}</b>{items}</div>')
    m.get_root().html.add_child(folium.Element(html))


def render(m: folium.Map) -> str:
    folium.LayerControl(collapsed=False).add_to(m)
    return m.get_root().render()
