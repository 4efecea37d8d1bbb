/* Starts every offline map widget on the page (apps/common/widgets.py) from its JSON options:
   a configured XYZ tile layer or an empty base layer, then Django's MapWidget. No inline script. */
(function () {
  "use strict";
  function start() {
    document.querySelectorAll("script[id$='_geo_mz_map_options']").forEach(function (node) {
      var o = JSON.parse(node.textContent);
      var base = o.tile_url
        ? new ol.layer.Tile({source: new ol.source.XYZ({url: o.tile_url, attributions: o.tile_attribution})})
        : new ol.layer.Vector({source: new ol.source.Vector()});
      var options = {base_layer: base, geom_name: o.geom_name, id: o.id, map_id: o.id + "_map",
                     map_srid: o.map_srid, name: o.name, default_lon: o.default_lon,
                     default_lat: o.default_lat, default_zoom: o.default_zoom};
      window[o.module] = new MapWidget(options);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
