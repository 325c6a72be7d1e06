/* The resident's report form (petitions/report.html): "use my location", a photo's own position,
   an address search over the register's buildings and a draggable pin on the grid map (Leaflet,
   no tiles: the grids' polygons with grid and community labels). Once a position and a category
   (chosen, or suggested from the description) are known, the open reports of that category
   nearby are offered for joining (我也遇到了) instead of a duplicate.
   Messages and addresses come in data-* attributes of #report-form (translated, reversed URLs). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var say = form.dataset;
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  var gridInput = document.getElementById("id_grid");
  var status = document.getElementById("location-status");
  var where = document.getElementById("where");
  var category = document.getElementById("id_category");
  var description = form.querySelector("textarea[name=description]");
  var photoPosition = null;

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  // A validation error inside a collapsed section opens that section.
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (section) {
    if (section.querySelector(".is-invalid, .invalid-feedback")) section.open = true;
  });

  // --- the map ----------------------------------------------------------------------------------
  var start = json("report-start") || { lat: 42.54, lng: 129.0, zoom: 13 };
  var grids = json("report-grids");
  var communities = json("report-communities") || [];
  var map = null, pin = null, gridLayer = null, communityLabels = null;
  var LABEL_ZOOM = 15;

  function showLabels() {
    if (!map) return;
    var near = map.getZoom() >= LABEL_ZOOM;
    gridLayer.eachLayer(function (layer) {
      var tip = layer.getTooltip();
      if (!tip) return;
      if (near) layer.openTooltip(); else layer.closeTooltip();
    });
    if (near) map.removeLayer(communityLabels); else communityLabels.addTo(map);
  }

  if (window.L && document.getElementById("report-map")) {
    map = L.map("report-map", { attributionControl: false, zoomSnap: 0.5 });
    map.setView([start.lat, start.lng], start.zoom);
    gridLayer = L.geoJSON(grids, {
      style: { color: "#1565c0", weight: 1.5, fillColor: "#e3f2fd", fillOpacity: 0.45 },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, {
          permanent: true, direction: "center", className: "hl-map-label", opacity: 0.9
        });
      }
    }).addTo(map);
    communityLabels = L.layerGroup(communities.map(function (c) {
      return L.marker([c.lat, c.lng], {
        interactive: false,
        icon: L.divIcon({ className: "hl-map-community", html: "", iconSize: null })
      }).bindTooltip(c.name, { permanent: true, direction: "center", className: "hl-map-community-label" });
    }));
    pin = L.marker([start.lat, start.lng], {
      draggable: true,
      autoPan: true,
      keyboard: true,
      icon: L.divIcon({ className: "hl-pin", html: '<span class="hl-pin-head"></span>', iconSize: [28, 28], iconAnchor: [14, 30] })
    }).addTo(map);
    pin.getElement().setAttribute("data-testid", "report-pin");
    pin.on("dragend", function () {
      var p = pin.getLatLng();
      place(p.lat, p.lng, { grid: null, fromPin: true });
    });
    map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, { grid: null, fromPin: true }); });
    map.on("zoomend", showLabels);
    if (!start.grid && grids && grids.features.length) map.fitBounds(gridLayer.getBounds());
    showLabels();
    where.addEventListener("toggle", function () {
      if (!where.open) return;
      map.invalidateSize();
    });
  }

  function openMap() {
    if (where && !where.open) where.open = true;
    if (map) setTimeout(function () { map.invalidateSize(); }, 0);
  }

  // --- the position -----------------------------------------------------------------------------
  function place(la, ln, opts) {
    opts = opts || {};
    lat.value = la.toFixed(6); lng.value = ln.toFixed(6);
    gridInput.value = opts.grid ? String(opts.grid) : "";
    if (pin && !opts.fromPin) {
      pin.setLatLng([la, ln]);
      if (map) map.setView([la, ln], Math.max(map.getZoom(), opts.zoom || 16), { animate: false });
    }
    status.textContent = say.msgLocating;
    var url = say.locateUrl + "?lat=" + encodeURIComponent(la) + "&lng=" + encodeURIComponent(ln);
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
      var community = "";
      if (g && grids) {
        grids.features.forEach(function (f) { if (f.properties.id === g.id) community = f.properties.community; });
      }
      status.textContent = g ? say.msgYourGrid + " " + (community ? community + " · " : "") + g.name + (opts.note ? " (" + opts.note + ")" : "") : say.msgOutside;
      status.dataset.grid = g ? g.name : "";
    });
    nearby();
  }

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = say.msgNoGeolocation; openMap(); return; }
    status.textContent = say.msgLocating;
    navigator.geolocation.getCurrentPosition(
      function (p) {
        place(p.coords.latitude, p.coords.longitude, {});
        if (p.coords.accuracy > 100) { openMap(); status.textContent = say.msgImprecise; }
      },
      function () { status.textContent = say.msgNoPosition; status.dataset.refused = "1"; openMap(); },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

  document.getElementById("id_photos").addEventListener("change", function () {
    var file = this.files && this.files[0];
    if (!file) return;
    var data = new FormData(); data.append("photo", file);
    fetch(say.photoGpsUrl, { method: "POST", body: data })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (d && d.latitude !== null) { photoPosition = d; document.getElementById("photo-gps").classList.remove("d-none"); }
      });
  });

  document.getElementById("use-photo-gps").addEventListener("click", function () {
    if (photoPosition) place(photoPosition.latitude, photoPosition.longitude, {});
    document.getElementById("photo-gps").classList.add("d-none");
  });

  // --- the address search -----------------------------------------------------------------------
  var search = document.getElementById("building-search");
  var results = document.getElementById("building-results");
  var address = form.querySelector("input[name=address]");

  function buildingLabel(b) {
    var name = b.address || b.name || "";
    return (name ? name + " · " : "") + b.number + "栋";
  }

  var lookup = debounce(function (words) {
    if (words.length < 2) { results.textContent = ""; return; }
    fetch(say.buildingsUrl + "?q=" + encodeURIComponent(words))
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        results.textContent = "";
        if (!found.length) { results.appendChild(el("div", "list-group-item small text-secondary", say.msgNoBuilding)); return; }
        found.forEach(function (b) {
          var item = el("button", "list-group-item list-group-item-action small");
          item.type = "button";
          item.setAttribute("data-testid", "building-result");
          item.appendChild(el("span", "fw-semibold", buildingLabel(b)));
          item.appendChild(el("span", "text-secondary", " — " + b.community + " · " + b.grid.name));
          item.addEventListener("click", function () {
            results.textContent = "";
            search.value = buildingLabel(b);
            if (!address.value) address.value = buildingLabel(b);
            place(b.latitude, b.longitude, { grid: b.exact ? null : b.grid.id, zoom: 17, note: b.exact ? "" : say.msgGridCentre });
          });
          results.appendChild(item);
        });
      });
  }, 300);
  search.addEventListener("input", function () { lookup(search.value.trim()); });
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });

  // --- 我也遇到了: the open reports of the same category nearby ---------------------------------
  var nearbyBox = document.getElementById("nearby");
  var nearbyList = document.getElementById("nearby-list");
  var joinForm = document.getElementById("join-form");
  var asked = "";

  function showNearby(answer) {
    nearbyList.textContent = "";
    var rows = (answer && answer.results) || [];
    nearbyBox.classList.toggle("d-none", !rows.length);
    rows.forEach(function (row) {
      var item = el("li", "list-group-item small");
      item.setAttribute("data-testid", "nearby-report");
      item.appendChild(el("div", "fw-semibold", row.category + " · " + row.summary));
      var facts = [row.received_on, row.status_display, row.distance_m + " m"];
      if (row.photo_count) facts.push(row.photo_count + " " + say.msgPhotos);
      if (row.joined_count) facts.push(row.joined_count + " " + say.msgJoined);
      item.appendChild(el("div", "text-secondary", facts.join(" · ")));
      var button = el("button", "btn btn-sm btn-warning mt-1", say.msgMeToo);
      button.type = "button";
      button.setAttribute("data-testid", "me-too");
      button.addEventListener("click", function () {
        document.getElementById("join-petition").value = row.id;
        document.getElementById("join-lat").value = lat.value;
        document.getElementById("join-lng").value = lng.value;
        document.getElementById("join-summary").textContent = row.category + " · " + row.summary + " · " + row.received_on;
        joinForm.classList.remove("d-none");
        joinForm.scrollIntoView({ behavior: "smooth", block: "start" });
      });
      item.appendChild(button);
      nearbyList.appendChild(item);
    });
  }

  function nearby() {
    if (!lat.value || !lng.value) return;
    var query = "?lat=" + encodeURIComponent(lat.value) + "&lng=" + encodeURIComponent(lng.value);
    if (category.value) query += "&category=" + encodeURIComponent(category.value);
    else if (description.value.trim().length >= 2) query += "&text=" + encodeURIComponent(description.value.trim().slice(0, 500));
    else { showNearby(null); return; }
    if (query === asked) return;
    asked = query;
    fetch(say.nearbyUrl + query).then(function (r) { return r.ok ? r.json() : null; }).then(showNearby);
  }
  category.addEventListener("change", nearby);
  description.addEventListener("input", debounce(function () { if (!category.value) nearby(); }, 600));

  document.getElementById("join-cancel").addEventListener("click", function () {
    joinForm.classList.add("d-none");
  });
})();
