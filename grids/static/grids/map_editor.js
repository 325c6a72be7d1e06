/* The map editor of a node's children (templates/grids/edit_map.html): Leaflet without tiles,
   leaflet-geoman for drawing. The page's state is the set of changed children; "Check" sends
   them to the API with ?dry_run=1 and shows the plan, "Save" applies them (one transaction).
   Split and merge are computed by the server (geometry/split/, geometry/merge/). */
(function () {
  "use strict";

  var element = document.getElementById("hl-map-editor");
  if (!element || !window.L) return;
  var config = JSON.parse(document.getElementById("hl-map-config").textContent);
  var background = JSON.parse(document.getElementById("hl-map-background").textContent);
  var text = document.getElementById("hl-map-text").dataset;
  var planBox = document.getElementById("plan");
  var movePoints = document.getElementById("move-points");

  var map = L.map(element, { crs: L.CRS.EPSG3857, zoomSnap: 0.25, attributionControl: false });
  map.setView([42.54, 129.0], 13); // Leaflet projects layers against a view: fitted once loaded
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 12, allowSelfIntersection: false });
  map.pm.setLang(document.documentElement.lang && document.documentElement.lang.indexOf("zh") === 0 ? "zh" : "en");

  var STYLE = { color: "#1565c0", weight: 2, fillColor: "#e3f2fd", fillOpacity: 0.5 };
  var CHANGED = { color: "#e65100", weight: 2.5, fillColor: "#ffe0b2", fillOpacity: 0.55 };
  var children = {}; // code -> {code, name, layer, parent}
  var dirty = {}; // code -> true
  var removed = {}; // code -> code of the node absorbing it
  var outline = null;
  var original = null;

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: { detail: text.failed } }; });
    });
  }

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function label(layer, name) {
    layer.bindTooltip(name, { permanent: true, direction: "center", className: "hl-map-label" });
  }

  // --- layers -------------------------------------------------------------------------------
  L.geoJSON(background, {
    interactive: false,
    pmIgnore: true,
    style: { color: "#90a4ae", weight: 1, dashArray: "4 3", fillColor: "#eceff1", fillOpacity: 0.35 }
  }).addTo(map);

  function addChild(code, name, geometry, parent, changed) {
    if (children[code]) map.removeLayer(children[code].layer);
    if (!geometry) { children[code] = { code: code, name: name, layer: L.layerGroup(), parent: parent, empty: true }; return; }
    var layer = L.geoJSON(geometry, { style: changed ? CHANGED : STYLE }).getLayers()[0];
    layer.addTo(map);
    label(layer, name);
    var item = { code: code, name: name, layer: layer, parent: parent };
    children[code] = item;
    layer.on("pm:edit pm:update pm:dragend", function () { markDirty(code); });
    if (changed) markDirty(code);
  }

  function markDirty(code) {
    dirty[code] = true;
    var item = children[code];
    if (item && item.layer.setStyle) item.layer.setStyle(CHANGED);
  }

  function fillPickers() {
    ["pick-a", "pick-b"].forEach(function (id) {
      var select = document.getElementById(id);
      var keep = select.value;
      select.textContent = "";
      Object.keys(children).sort().forEach(function (code) {
        if (removed[code]) return;
        var option = el("option", "", children[code].name + " (" + code + ")");
        option.value = code;
        select.appendChild(option);
      });
      if (keep) select.value = keep;
    });
  }

  function load() {
    fetch(config.geojson, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (collection) {
        original = collection;
        reset();
        var bounds = outline && outline.getBounds();
        if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      });
  }

  function reset() {
    Object.keys(children).forEach(function (code) { map.removeLayer(children[code].layer); });
    if (outline) map.removeLayer(outline);
    children = {}; dirty = {}; removed = {};
    original.features.forEach(function (f) {
      var p = f.properties;
      if (p.code === config.code) {
        if (f.geometry) outline = L.geoJSON(f.geometry, { pmIgnore: true, interactive: false,
          style: { color: "#b71c1c", weight: 3, fill: false } }).addTo(map);
      } else if (p.parent === config.code) {
        addChild(p.code, p.name, f.geometry, p.parent, false);
      }
    });
    fillPickers();
    planBox.textContent = "";
  }

  // --- the request: the changed children, the removed ones -----------------------------------
  function request() {
    var features = Object.keys(dirty).filter(function (code) { return !removed[code] && children[code]; })
      .map(function (code) {
        var item = children[code];
        var props = { code: code, name: item.name };
        if (item.parent) props.parent = item.parent;
        return { type: "Feature", properties: props, geometry: item.layer.toGeoJSON(false).geometry };
      });
    var remove = Object.keys(removed);
    return { type: "FeatureCollection", features: features, remove: remove, absorb: removed,
      move_points: !!(movePoints && movePoints.checked) };
  }

  function showPlan(status, data, saved) {
    planBox.textContent = "";
    if (!data || data.ok === undefined) {
      var box = el("div", "alert alert-danger py-2 mb-0", (data && data.detail) || text.failed);
      var errs = data && data.errors ? data.errors : {};
      Object.keys(errs).forEach(function (k) { errs[k].forEach(function (m) { box.appendChild(el("div", "small", m)); }); });
      box.setAttribute("data-testid", "plan-refused");
      planBox.appendChild(box);
      return;
    }
    var head = el("div", "alert py-2 mb-2 " + (data.ok ? "alert-success" : "alert-danger"),
      saved ? text.saved : (data.ok ? text.ok : text.refused));
    head.setAttribute("data-testid", data.ok ? (saved ? "plan-saved" : "plan-ok") : "plan-refused");
    data.errors.forEach(function (e) { head.appendChild(el("div", "small", e.code + ": " + e.message)); });
    planBox.appendChild(head);
    if (data.warnings.length) {
      var warn = el("div", "alert alert-warning py-2 mb-2", text.warnings);
      warn.setAttribute("data-testid", "plan-warnings");
      data.warnings.forEach(function (w) { warn.appendChild(el("div", "small", w.message)); });
      planBox.appendChild(warn);
    }
    var list = el("ul", "small mb-0");
    data.changes.forEach(function (c) {
      list.appendChild(el("li", "", c.name + " (" + c.code + ") · " + (c.action === "create" ? text.created : text.updated) +
        (c.area_m2 !== null ? " · " + Math.round(c.area_m2).toLocaleString() + " m²" : "")));
    });
    data.removed.forEach(function (r) { list.appendChild(el("li", "", r.name + " (" + r.code + ") · " + text.removed)); });
    data.points.forEach(function (p) {
      var li = el("li", "", p.label + ": " + text.points.replace("[n]", p.count));
      li.setAttribute("data-testid", "plan-points");
      list.appendChild(li);
    });
    planBox.appendChild(list);
  }

  function send(dryRun) {
    var body = request();
    if (!body.features.length && !body.remove.length) { planBox.textContent = text.noChanges; return; }
    api(config.geometry + (dryRun ? "?dry_run=1" : ""), body).then(function (answer) {
      showPlan(answer.status, answer.data, !dryRun && answer.status === 200);
      if (!dryRun && answer.status === 200) {
        var box = planBox.innerHTML;
        fetch(config.geojson, { credentials: "same-origin" }).then(function (r) { return r.json(); })
          .then(function (collection) { original = collection; reset(); planBox.innerHTML = box; });
      }
    });
  }

  // --- tools ---------------------------------------------------------------------------------
  var pending = null; // "draw" or "split"

  map.on("pm:create", function (event) {
    var code = document.getElementById("new-code").value.trim();
    var name = document.getElementById("new-name").value.trim();
    var geometry = event.layer.toGeoJSON(false).geometry;
    map.removeLayer(event.layer);
    if (pending === "draw") {
      addChild(code, name, geometry, config.code, true);
      fillPickers();
    } else if (pending === "split") {
      api(config.split, { code: document.getElementById("pick-a").value, line: geometry, new_code: code, new_name: name })
        .then(function (answer) {
          if (answer.status !== 200) { showPlan(answer.status, answer.data); return; }
          answer.data.features.forEach(function (f) {
            var p = f.properties;
            addChild(p.code, p.name, f.geometry, p.parent || (children[p.code] && children[p.code].parent) || config.code, true);
          });
          fillPickers();
          showPlan(200, answer.data.plan);
        });
    }
    pending = null;
  });

  function needName() {
    var ok = document.getElementById("new-code").value.trim() && document.getElementById("new-name").value.trim();
    if (!ok) planBox.textContent = text.needCode;
    return ok;
  }

  var editing = false;
  var actions = {
    draw: function () {
      if (!needName()) return;
      pending = "draw";
      map.pm.enableDraw("Polygon", { snappable: true });
    },
    edit: function (button) {
      editing = !editing;
      button.setAttribute("aria-pressed", editing ? "true" : "false");
      button.classList.toggle("active", editing);
      Object.keys(children).forEach(function (code) {
        var layer = children[code].layer;
        if (!layer.pm) return;
        if (editing) layer.pm.enable({ snappable: true, allowSelfIntersection: false }); else layer.pm.disable();
      });
    },
    split: function () {
      if (!needName()) return;
      pending = "split";
      map.pm.enableDraw("Line", { snappable: true });
    },
    merge: function () {
      var keep = document.getElementById("pick-a").value;
      var absorb = document.getElementById("pick-b").value;
      if (!keep || !absorb || keep === absorb) { planBox.textContent = text.pick; return; }
      api(config.merge, { keep: keep, absorb: absorb }).then(function (answer) {
        if (answer.status !== 200) { showPlan(answer.status, answer.data); return; }
        var f = answer.data.features[0];
        addChild(keep, f.properties.name || children[keep].name, f.geometry, children[keep].parent, true);
        map.removeLayer(children[absorb].layer);
        removed[absorb] = keep;
        delete dirty[absorb];
        fillPickers();
        showPlan(200, answer.data.plan);
      });
    },
    check: function () { send(true); },
    save: function () { send(false); },
    reset: function () { if (original) reset(); }
  };

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-editor]");
    if (!button) return;
    var verb = button.getAttribute("data-editor");
    if (actions[verb]) actions[verb](button);
  });

  document.getElementById("upload").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    file.text().then(function (content) {
      var collection;
      try { collection = JSON.parse(content); } catch (e) { planBox.textContent = text.badFile; return; }
      if (!collection || collection.type !== "FeatureCollection" || !Array.isArray(collection.features)) {
        planBox.textContent = text.badFile; return;
      }
      collection.features.forEach(function (f) {
        var p = f.properties || {};
        if (!p.code || p.code === config.code) return;
        var known = children[p.code];
        addChild(p.code, p.name || (known && known.name) || p.code, f.geometry, p.parent || (known && known.parent) || config.code, true);
      });
      fillPickers();
      send(true);
    });
  });

  load();
})();
