/* Staff map, part 2: the info panel (click a feature), the search box (address autocomplete and
   place-name search, jumping to the result) and selection → export (view or drawn rectangle). */
"use strict";

const esc = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

/* Info panel: the feature's plain attributes, a link to edit the record in the admin and one to its history. */
GeoMZ.showInfo = function (title, props, editUrl) {
  const rows = Object.entries(props || {})
    .filter(([, v]) => v !== null && v !== "" && typeof v !== "object")
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join("");
  const nested = Object.entries(props || {}).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v) && v.name)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v.name)}</td></tr>`).join("");
  // The admin search link names the model and the code: the same record's change history.
  const found = editUrl ? /^\/admin\/(\w+)\/(\w+)\/\?q=(.+)$/.exec(editUrl) : null;
  const historyUrl = found && found[3] ? `/history/${found[1]}.${found[2]}/code/${found[3]}/` : null;
  document.getElementById("info-body").innerHTML = `<h3 id="info-title">${esc(title)}</h3><table>${rows}${nested}</table>` +
    (editUrl ? `<p><a id="info-edit" href="${esc(editUrl)}" target="_blank">编辑此记录 Edit</a>` +
      (historyUrl ? ` · <a id="info-history" href="${esc(historyUrl)}" target="_blank">变更历史 History</a>` : "") + "</p>" : "");
  document.getElementById("info").hidden = false;
};
document.getElementById("info-close").addEventListener("click", () => { document.getElementById("info").hidden = true; });

/* Search: address suggestions (autocomplete) and place names, both as you type. */
const searchBox = document.getElementById("search");
const resultList = document.getElementById("search-results");
let searchTimer = null;
let searchMarker = null;
searchBox.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 250);
});

async function runSearch() {
  const q = searchBox.value.trim();
  resultList.innerHTML = "";
  if (!q) return;
  const enc = encodeURIComponent(q);
  const [addresses, places] = await Promise.all([
    GeoMZ.getJSON(`/api/v1/autocomplete?q=${enc}&limit=8`).catch(() => ({ suggestions: [] })),
    GeoMZ.getJSON(`/api/v1/placenames/?q=${enc}&limit=5`).catch(() => ({ features: [] })),
  ]);
  if (q !== searchBox.value.trim()) return; // the user typed on
  addresses.suggestions.forEach((s) => addResult(s.text, s.precision, () => jumpToSuggestion(s)));
  places.features.forEach((f) => addResult(f.properties.name, "地名", () => jumpToFeature(f, "地名")));
  if (!resultList.children.length) resultList.innerHTML = "<li>无结果</li>";
}

function addResult(text, kind, onPick) {
  const li = document.createElement("li");
  li.innerHTML = `${esc(text)}<span class="kind">${esc(kind)}</span>`;
  li.addEventListener("click", onPick);
  resultList.appendChild(li);
}

/* A door address has its own record; roads, 片区 and villages are found through the geocoder. */
async function jumpToSuggestion(s) {
  if (s.kind === "address") {
    jumpToFeature(await GeoMZ.getJSON(`/api/v1/addresses/${encodeURIComponent(s.code)}/`), "标准地址");
  } else {
    const found = await GeoMZ.getJSON(`/api/v1/geocode?q=${encodeURIComponent(s.text)}&limit=1`);
    if (found.features.length) jumpToFeature(found.features[0], s.precision);
  }
}

function jumpToFeature(feature, label) {
  if (!feature.geometry) return;
  const shape = L.geoJSON(feature);
  const bounds = shape.getBounds();
  if (searchMarker) GeoMZ.map.removeLayer(searchMarker);
  searchMarker = feature.geometry.type === "Point" ? L.marker(bounds.getCenter()) : shape;
  searchMarker.addTo(GeoMZ.map);
  if (feature.geometry.type === "Point") GeoMZ.map.setView(bounds.getCenter(), 18);
  else GeoMZ.map.fitBounds(bounds);
  const edit = label === "标准地址" ? "/admin/addresses/address/?q=" + encodeURIComponent(feature.id) : null;
  GeoMZ.showInfo(label, { code: feature.id, ...feature.properties }, edit);
  GeoMZ.lastJump = feature;
}

/* Selection → export: the current view or a rectangle dragged on the map. */
let selectionBox = null;
document.getElementById("select-view").addEventListener("click", () => showSelection(GeoMZ.map.getBounds()));
document.getElementById("select-box").addEventListener("click", () => {
  const map = GeoMZ.map;
  map.dragging.disable();
  map.getContainer().style.cursor = "crosshair";
  let start = null;
  let rect = null;
  const down = (e) => { start = e.latlng; rect = L.rectangle([start, start], { color: "#1456a0", weight: 1 }).addTo(map); };
  const move = (e) => { if (start) rect.setBounds([start, e.latlng]); };
  const up = () => {
    map.off("mousedown", down).off("mousemove", move).off("mouseup", up);
    map.dragging.enable();
    map.getContainer().style.cursor = "";
    if (rect) { map.removeLayer(rect); showSelection(rect.getBounds()); }
  };
  map.on("mousedown", down).on("mousemove", move).on("mouseup", up);
});

function showSelection(bounds) {
  if (selectionBox) GeoMZ.map.removeLayer(selectionBox);
  selectionBox = L.rectangle(bounds, { color: "#1456a0", weight: 2, dashArray: "4", fill: false, interactive: false }).addTo(GeoMZ.map);
  const bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v) => v.toFixed(6)).join(",");
  const township = GeoMZ.township ? `&division=${GeoMZ.township}` : "";
  const crs = document.getElementById("export-crs").value;
  const sources = {
    addresses: { label: "地址", url: `/api/v1/addresses/?bbox=${bbox}${township}&limit=5000` },
    facilities: { label: "设施", url: `/api/v1/facilities/?bbox=${bbox}${township}&limit=5000` },
  };
  const box = document.getElementById("selection");
  box.innerHTML = `<p class="hint">范围 ${bbox}</p>` + Object.entries(sources).map(([key, s]) =>
    `<p>${s.label}：<a id="export-${key}-geojson" href="${s.url}" download="${key}.geojson">GeoJSON</a> · ` +
    `<a href="#" id="export-${key}-csv">CSV</a> <span id="count-${key}"></span><br>` +
    // Files through the export service (/api/v1/export/…): GeoPackage and zipped shapefile in the
    // chosen CRS (more than 20,000 features become a background job there).
    ["gpkg", "shp"].map((fmt) => `<a id="export-${key}-${fmt}" href="/api/v1/export/${key}?bbox=${bbox}${township}` +
      `&format=${fmt}&crs=${encodeURIComponent(crs)}">${fmt === "shp" ? "Shapefile (zip)" : "GeoPackage"}</a>`).join(" · ") +
    ` <small>${esc(crs)}</small></p>`).join("") +
    (GeoMZ.township ? `<p>本乡镇全部地址：<a href="/api/v1/addresses/export?division=${GeoMZ.township}&format=csv">CSV</a></p>` : "");
  Object.entries(sources).forEach(([key, s]) => {
    GeoMZ.getJSON(s.url).then((data) => {
      document.getElementById(`count-${key}`).textContent = `（${data.count} 条` + (data.count > 5000 ? "，仅前 5000 条" : "") + "）";
    });
    document.getElementById(`export-${key}-csv`).addEventListener("click", async (e) => {
      e.preventDefault();
      downloadCsv(await GeoMZ.getJSON(s.url), `${key}.csv`);
    });
  });
}

/* CSV (UTF-8 with BOM so Excel reads the Chinese) from a FeatureCollection: code, lon, lat, attributes. */
function downloadCsv(collection, filename) {
  const keys = [];
  collection.features.forEach((f) => Object.entries(f.properties).forEach(([k, v]) => {
    if (typeof v !== "object" && !keys.includes(k)) keys.push(k);
  }));
  const cell = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const lines = [["code", "lon", "lat", ...keys].join(",")]; // a Feature's code is its id
  collection.features.forEach((f) => {
    const c = f.geometry && f.geometry.type === "Point" ? f.geometry.coordinates : ["", ""];
    lines.push([f.id, c[0], c[1], ...keys.map((k) => f.properties[k])].map(cell).join(","));
  });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob(["\ufeff" + lines.join("\r\n")], { type: "text/csv;charset=utf-8" }));
  link.download = filename;
  link.click();
}
