/* Staff map, part 3: the analysis panel. Runs a coverage analysis or an MCLP siting through the
   analysis API (session login, CSRF header on the POST); a queued run (202 + Location) is polled
   with a progress bar; the results are drawn as layers (service areas, uncovered addresses,
   chosen sites) with links to the exports and the folium report. */
"use strict";

const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const statusBox = document.getElementById("run-status");
GeoMZ.resultLayers = L.layerGroup().addTo(GeoMZ.map);

GeoMZ.ready.then(() => {
  ["cov-kinds", "sit-kinds"].forEach((id) => {
    const select = document.getElementById(id);
    GeoMZ.kinds.forEach((k) => {
      const option = new Option(k.name, k.code);
      option.selected = k.code === "elderly_canteen";
      select.add(option);
    });
  });
});

const selected = (id) => Array.from(document.getElementById(id).selectedOptions).map((o) => o.value);

document.getElementById("coverage-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const radii = document.getElementById("cov-radii").value.split(/[,，\s]+/).filter(Boolean).map(Number);
  startRun("/api/v1/analysis/coverage", {
    kinds: selected("cov-kinds"), radii_m: radii, mode: document.getElementById("cov-mode").value,
    division: GeoMZ.township, background: document.getElementById("cov-background").checked, name: "工作地图覆盖分析",
  });
});

document.getElementById("siting-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!GeoMZ.township) { showError("请先在上方选择乡镇"); return; }
  startRun("/api/v1/analysis/siting", {
    model: "mclp", candidate_source: "grid", candidate_division: GeoMZ.township, division: GeoMZ.township,
    p: Number(document.getElementById("sit-p").value), radius_m: Number(document.getElementById("sit-radius").value),
    grid_spacing_m: Number(document.getElementById("sit-grid").value), existing_kinds: selected("sit-kinds"),
    background: document.getElementById("sit-background").checked, name: "工作地图选址",
  });
});

function showError(message) {
  statusBox.innerHTML = `<p class="error" id="run-error">${esc(message)}</p>`;
}

/* POST the body; 201 = done now, 202 = queued: poll the run until it is done or failed. */
async function startRun(url, body) {
  statusBox.innerHTML = '<p>提交中…</p><progress id="run-progress"></progress>';
  const response = await fetch(url, {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const errors = (data.errors || []).map((e) => `${e.field}：${e.message}`).join("；");
    showError(`${data.title || response.status}：${errors || data.detail || ""}`);
    return;
  }
  let run = data;
  const location = response.headers.get("Location") || `/api/v1/analysis/runs/${run.id}`;
  while (run.status === "queued" || run.status === "running") {
    const p = run.progress || {};
    statusBox.innerHTML = `<p>运行中（${esc(run.status)}）${esc(p.message || "")}</p>` +
      `<progress id="run-progress" max="1" value="${p.progress || 0}"></progress>`;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    run = await GeoMZ.getJSON(location);
  }
  if (run.status !== "done") { showError(`分析失败：${run.error || run.status}`); return; }
  await showResult(run);
}

/* The result: a short summary, the result layers and the download links. */
async function showResult(run) {
  GeoMZ.resultLayers.clearLayers();
  const links = run.links;
  let summary = "";
  if (run.kind === "coverage") {
    summary = run.summary.radii.map((r) => `${r.radius_m} 米：覆盖 ${r.covered}/${r.total}（${(r.share * 100).toFixed(1)}%）`).join("<br>");
    const areas = await GeoMZ.getJSON(links.service_areas);
    L.geoJSON(areas, { style: { color: "#0288d1", weight: 1, fillOpacity: 0.15 }, interactive: false }).addTo(GeoMZ.resultLayers);
    const uncovered = await GeoMZ.getJSON(links.uncovered);
    // Possibly thousands of points: canvas circles under the tiles (not clickable; see layers.js).
    L.geoJSON(uncovered, { pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 3, color: "#b42318", weight: 1, fillOpacity: 0.8, interactive: false }) })
      .addTo(GeoMZ.resultLayers);
    GeoMZ.lastResult = { run: run.id, service_areas: areas.features.length, uncovered: uncovered.features.length };
  } else {
    const result = run.summary.result || {};
    summary = `新增站点 ${run.summary.chosen.length} 个；候选 ${run.summary.candidates} 个` +
      (result.covered_share !== undefined ? `；覆盖率 ${(result.covered_share * 100).toFixed(1)}%` : "");
    const sites = await GeoMZ.getJSON(links.sites);
    L.geoJSON(sites, { pointToLayer: (f, ll) => GeoMZ.pointMarker(ll, "#ffeb3b", 9),
      onEachFeature: (f, lyr) => lyr.on("click", () => GeoMZ.showInfo("选址结果", f.properties, null)) }).addTo(GeoMZ.resultLayers);
    GeoMZ.lastResult = { run: run.id, sites: sites.features.length };
  }
  const downloads = Object.entries(links).filter(([k]) => k !== "self")
    .map(([k, url]) => `<a href="${esc(url)}" target="_blank">${esc(LINK_LABELS[k] || k)}</a>`).join(" · ");
  statusBox.innerHTML = `<div id="run-result"><p>分析 #${run.id} 完成（${run.seconds ?? "?"} 秒）</p><p>${summary}</p>` +
    `<p>${downloads}</p><button type="button" id="clear-result">清除结果图层</button></div>`;
  document.getElementById("clear-result").addEventListener("click", () => GeoMZ.resultLayers.clearLayers());
}

const LINK_LABELS = { map: "分析地图（folium）", uncovered: "未覆盖地址 GeoJSON", addresses: "全部地址 CSV",
  service_areas: "服务范围 GeoJSON", sites: "站点 GeoJSON" };
