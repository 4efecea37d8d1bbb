/* Staff map, part 1: the map, its layers (GeoJSON by bbox for the small registers, vector tiles
   for addresses and roads), the layer switcher with its legend, the township filter and search.
   Everything is served by our own server: no CDN, and no base map unless one is configured. */
"use strict";

const GeoMZ = (window.GeoMZ = { layers: {}, township: "" });
GeoMZ.config = JSON.parse(document.getElementById("map-config").textContent);

GeoMZ.map = L.map("map", { preferCanvas: true }).setView([30.55, 119.95], 11);
if (GeoMZ.config.tileUrl) {
  L.tileLayer(GeoMZ.config.tileUrl, { attribution: GeoMZ.config.tileAttribution, maxZoom: 19 }).addTo(GeoMZ.map);
}

/* fetch JSON from our API; errors carry the problem+json detail. */
GeoMZ.getJSON = async function (url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error((await response.text()).slice(0, 300));
  return response.json();
};

GeoMZ.bbox = function () {
  const b = GeoMZ.map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
};

/* Click order. The vector tiles (addresses, roads) sit in their own pane above the GeoJSON
   lines and areas (townships, boundary lines, analysis areas), which are not clickable: a canvas
   swallows every click on it, so only the top one can answer. Points of the small registers are
   DOM markers (a styled div each) above the tiles, so a click beside them still reaches the tiles. */
GeoMZ.map.createPane("vectortiles").style.zIndex = 450;

GeoMZ.pointMarker = function (latlng, color, radius) {
  const size = 2 * (radius || 6);
  // The colour through the DOM, not a style attribute (the Content-Security-Policy refuses those).
  const dot = document.createElement("span");
  dot.style.background = color;
  return L.marker(latlng, { icon: L.divIcon({ className: "pt", iconSize: [size, size], html: dot }) });
};

/* A GeoJSON layer re-read from `urlFn()` whenever the view changes (only from minZoom). */
function bboxLayer(name, label, color, shape, urlFn, options) {
  const opts = options || {};
  const layer = L.geoJSON(null, {
    // Lines and areas get the layer's stroke (areas barely tinted); points are DOM markers.
    style: () => ({ color: color, weight: opts.weight || 2, fillOpacity: opts.fill || 0, interactive: false }),
    pointToLayer: (feature, latlng) => GeoMZ.pointMarker(latlng, color, opts.radius),
    onEachFeature: (feature, lyr) => lyr.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      // A Feature's public code is its `id` (API convention); show it first.
      GeoMZ.showInfo(label, { code: feature.id, ...feature.properties }, opts.editUrl ? opts.editUrl(feature) : null);
    }),
  });
  let generation = 0;
  layer.refresh = async function () {
    if (!GeoMZ.map.hasLayer(layer)) return;
    const mine = ++generation;
    if (GeoMZ.map.getZoom() < (opts.minZoom || 0)) { layer.clearLayers(); return; }
    const data = await GeoMZ.getJSON(urlFn());
    if (mine !== generation) return; // a newer view superseded this answer
    layer.clearLayers();
    layer.addData(data);
    layer.featureCount = data.features.length;
  };
  register(name, label, color, shape, layer, opts.on !== false);
  return layer;
}

/* A vector tile layer of ours (addresses, roads), optionally limited to the chosen township. */
function tileLayer(name, label, color, shape, style) {
  const spec = GeoMZ.config.vectorTiles[name];
  const layer = L.vectorGrid.protobuf(spec.url + "{division}", {
    rendererFactory: L.canvas.tile,
    pane: "vectortiles",
    interactive: false, // clicks: see pickAddress below
    minZoom: spec.minZoom,
    maxNativeZoom: 18,
    division: () => (GeoMZ.township ? "?division=" + GeoMZ.township : ""),
    getFeatureId: (f) => f.id,
    vectorTileLayerStyles: { [name]: style },
  });
  register(name, label, color, shape, layer, true);
  return layer;
}

GeoMZ.tileEditUrl = function (name, props) {
  if (name === "addresses" && props.code) return "/admin/addresses/address/?q=" + encodeURIComponent(props.code);
  if (name === "roads" && props.code) return "/admin/addresses/road/?q=" + encodeURIComponent(props.code);
  return null;
};

/* The layer switcher doubles as the legend: a swatch in the layer's colour beside its name. */
function register(name, label, color, shape, layer, on) {
  GeoMZ.layers[name] = layer;
  const li = document.createElement("li");
  li.innerHTML = `<input type="checkbox" id="layer-${name}"${on ? " checked" : ""}>` +
    `<span class="swatch ${shape}"></span><label for="layer-${name}">${label}</label>`;
  li.querySelector(".swatch").style.background = color;
  document.getElementById("layers").appendChild(li);
  li.querySelector("input").addEventListener("change", (e) => {
    if (e.target.checked) { layer.addTo(GeoMZ.map); if (layer.refresh) layer.refresh(); }
    else GeoMZ.map.removeLayer(layer);
  });
  if (on) layer.addTo(GeoMZ.map);
}

const county = GeoMZ.config.county;
const withTownship = (url) => url + (GeoMZ.township ? "&division=" + GeoMZ.township : "");
const adminSearch = (path, key) => (f) => `/admin/${path}/?q=` + encodeURIComponent(f.id || f.properties[key] || "");

bboxLayer("townships", "乡镇（街道）", "#1456a0", "area",
  () => `/api/v1/divisions/?level=township&division=${GeoMZ.township || county}&simplify=20&limit=100&bbox=${GeoMZ.bbox()}`,
  { weight: 2, fill: 0.03, editUrl: adminSearch("divisions/division", "code") });
bboxLayer("boundary_lines", "行政区域界线", "#c2185b", "line",
  () => `/api/v1/boundary-lines/?bbox=${GeoMZ.bbox()}&limit=500`, { weight: 3, editUrl: adminSearch("boundaries/boundaryline", "code") });
bboxLayer("boundary_markers", "界桩", "#c2185b", "", () => `/api/v1/boundary-markers/?bbox=${GeoMZ.bbox()}&limit=1000`,
  { minZoom: 11, radius: 4, editUrl: adminSearch("boundaries/boundarymarker", "number") });
tileLayer("roads", "街路巷（矢量瓦片）", "#8d6e63", "line", { color: "#8d6e63", weight: 2 });
tileLayer("addresses", "标准地址（矢量瓦片）", "#f59e0b", "", (props, zoom) => ({
  radius: zoom < GeoMZ.config.vectorTiles.addresses.pointZoom ? Math.min(2 + Math.sqrt(props.count || 1) / 4, 9) : 4,
  fill: true, fillColor: "#f59e0b", fillOpacity: 0.8, color: "#7c4a03", weight: 1,
}));
bboxLayer("placenames", "地名", "#2e7d32", "", () => withTownship(`/api/v1/placenames/?bbox=${GeoMZ.bbox()}&limit=1000`),
  { minZoom: 12, radius: 4, editUrl: adminSearch("placenames/placename", "code") });

/* One layer per facility kind, in the colours below (more kinds cycle through them). */
const PALETTE = ["#d32f2f", "#7b1fa2", "#0288d1", "#00897b", "#f57c00", "#5d4037", "#455a64", "#c0ca33"];
GeoMZ.ready = GeoMZ.getJSON("/api/v1/facility-kinds/").then((kinds) => {
  GeoMZ.kinds = kinds;
  kinds.forEach((kind, i) => {
    bboxLayer("facility_" + kind.code, kind.name, PALETTE[i % PALETTE.length], "",
      () => withTownship(`/api/v1/facilities/?kind=${kind.code}&bbox=${GeoMZ.bbox()}&limit=5000`),
      { radius: 7, editUrl: adminSearch("facilities/facility", "code") });
  });
  refreshAll();
});

function refreshAll() {
  Object.values(GeoMZ.layers).forEach((layer) => {
    if (layer.refresh) layer.refresh().catch((err) => console.error(err));
  });
}
GeoMZ.refreshAll = refreshAll;
let pending = null;
GeoMZ.map.on("moveend", () => { clearTimeout(pending); pending = setTimeout(refreshAll, 150); });

/* Township filter: the list comes from the division register; choosing one zooms to it and limits
   the layers (tiles, facilities, place names) to it. */
GeoMZ.getJSON(`/api/v1/divisions/?level=township&division=${county}&geometry=false&limit=100`).then((data) => {
  const select = document.getElementById("township");
  data.features.forEach((f) => select.add(new Option(f.properties.name, f.properties.code)));
});
GeoMZ.getJSON(`/api/v1/divisions/?level=county&division=${county}&simplify=50&limit=1`).then((data) => {
  GeoMZ.countyBounds = L.geoJSON(data).getBounds();
  if (GeoMZ.countyBounds.isValid()) GeoMZ.map.fitBounds(GeoMZ.countyBounds);
});
document.getElementById("township").addEventListener("change", async (e) => {
  GeoMZ.township = e.target.value;
  ["addresses", "roads"].forEach((n) => GeoMZ.layers[n].redraw());
  if (GeoMZ.township) {
    const data = await GeoMZ.getJSON(`/api/v1/divisions/?level=township&division=${GeoMZ.township}&simplify=20&limit=1`);
    GeoMZ.map.fitBounds(L.geoJSON(data).getBounds());
  } else if (GeoMZ.countyBounds) {
    GeoMZ.map.fitBounds(GeoMZ.countyBounds);
  }
  refreshAll();
});

/* Clicks on address tiles. VectorGrid 1.3's own pointer events break with Leaflet ≥ 1.8 on point
   symbols (they have no latlng), so the tiles are drawn non-interactive and a map click looks for
   the nearest drawn address symbol in the clicked tile (tile-local pixels at the tile zoom). A
   door at zoom ≥ 16 carries its texts; below, the record is read by code; a cluster zooms in. */
function pickAddress(e) {
  const layer = GeoMZ.layers.addresses;
  if (!GeoMZ.map.hasLayer(layer) || layer._tileZoom === undefined) return;
  const zoom = layer._tileZoom;
  const size = layer.getTileSize();
  const p = GeoMZ.map.project(e.latlng, zoom);
  const tx = Math.floor(p.x / size.x);
  const ty = Math.floor(p.y / size.y);
  const tile = layer._vectorTiles[`${tx}:${ty}:${zoom}`];
  if (!tile) return;
  const local = L.point(p.x - tx * size.x, p.y - ty * size.y);
  const slack = 3 / GeoMZ.map.getZoomScale(GeoMZ.map.getZoom(), zoom); // 3 screen pixels
  let best = null;
  let bestDistance = Infinity;
  Object.values(tile._features).forEach((entry) => {
    const symbol = entry.feature;
    if (!symbol._point) return;
    const d = symbol._point.distanceTo(local);
    if (d <= (symbol._radius || 4) + slack && d < bestDistance) { best = symbol; bestDistance = d; }
  });
  if (!best) return;
  const props = best.properties;
  if (!props.code) { GeoMZ.map.setView(e.latlng, Math.max(GeoMZ.map.getZoom() + 2, 14)); return; }
  const edit = GeoMZ.tileEditUrl("addresses", props);
  GeoMZ.showInfo("标准地址", props, edit);
  if (!props.full_text) {
    GeoMZ.getJSON(`/api/v1/addresses/${encodeURIComponent(props.code)}/`).then((feature) => {
      GeoMZ.showInfo("标准地址", { code: feature.id, count: props.count, ...feature.properties }, edit);
    }).catch((err) => console.error(err));
  }
}
GeoMZ.map.on("click", pickAddress);
