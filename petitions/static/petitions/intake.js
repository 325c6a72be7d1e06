/* The staff intake page (petitions/intake.html): one pane per way of giving the place
   (building search, point on the map, grid and address), the map of the user's grids
   (Leaflet without tiles) where a tap sets the point, and the building search on Enter. */
(function () {
  "use strict";

  var form = document.getElementById("intake-form");
  if (!form) return;
  var text = document.getElementById("intake-text").dataset;
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  var pointText = document.getElementById("intake-point");
  var map = null;
  var marker = null;

  // --- the three panes ------------------------------------------------------------------
  function mode() {
    var checked = form.querySelector("input[name=location_mode]:checked");
    return checked ? checked.value : "building";
  }

  function showPane() {
    var current = mode();
    form.querySelectorAll("[data-intake-pane]").forEach(function (pane) {
      pane.hidden = pane.dataset.intakePane !== current;
    });
    if (current === "point") drawMap();
  }

  form.querySelectorAll("[data-intake-mode]").forEach(function (radio) {
    radio.addEventListener("change", showPane);
  });

  // --- the building search --------------------------------------------------------------
  var query = document.getElementById("building-query");
  function search() {
    if (window.htmx) window.htmx.trigger(query, "intake-search");
  }
  query.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter searches; it does not send the half-filled form
      search();
    }
  });
  document.getElementById("building-search").addEventListener("click", search);

  // --- the point on the map ---------------------------------------------------------------
  function setPoint(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    pointText.textContent = lat.value + ", " + lng.value;
    if (!map) return;
    if (marker) marker.setLatLng([latitude, longitude]);
    else marker = L.circleMarker([latitude, longitude], { radius: 9, color: "#fff", weight: 3, fillColor: "#b71c1c", fillOpacity: 1 }).addTo(map);
  }

  function drawMap() {
    if (map || !window.L) return;
    var outlines = JSON.parse(document.getElementById("intake-outlines").textContent);
    map = L.map("intake-map", { attributionControl: false, zoomSnap: 0.25 });
    var layer = L.featureGroup();
    outlines.forEach(function (grid) {
      var shape = L.geoJSON(grid.boundary, { style: { color: "#1565c0", weight: 1.5, fillColor: "#e3f2fd", fillOpacity: 0.5 } });
      shape.bindTooltip(grid.name, { sticky: true });
      layer.addLayer(shape);
    });
    layer.addTo(map);
    if (outlines.length) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    else map.setView([42.54, 129.0], 13);
    map.on("click", function (event) { setPoint(event.latlng.lat, event.latlng.lng); });
    if (lat.value && lng.value) setPoint(parseFloat(lat.value), parseFloat(lng.value));
  }

  document.getElementById("intake-locate").addEventListener("click", function () {
    if (!navigator.geolocation) { pointText.textContent = text.noGeolocation; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      setPoint(position.coords.latitude, position.coords.longitude);
      if (map) map.setView([position.coords.latitude, position.coords.longitude], 16);
    }, function () { pointText.textContent = text.noGeolocation; });
  });

  // --- without signal: the outbox stores only a complete form --------------------------------
  // (static/js/outbox.js asks before storing; the server's own checks come when it is sent.)
  var offlineError = document.getElementById("intake-offline-error");
  form.addEventListener("hl-outbox-check", function (event) {
    var problems = [], current = mode();
    if (!form.elements.description.value.trim()) problems.push(text.needDescription);
    if (current === "building" && !form.querySelector("input[name=building]:checked")) problems.push(text.needBuilding);
    if (current === "point" && !(lat.value && lng.value)) problems.push(text.tap);
    if (current === "address" && !(form.elements.grid.value && form.elements.address.value.trim())) problems.push(text.needGrid);
    offlineError.textContent = problems.join(" ");
    offlineError.hidden = problems.length === 0;
    if (problems.length) {
      event.preventDefault();
      offlineError.scrollIntoView({ block: "center" });
    }
  });
  form.addEventListener("reset", function () {
    // After a form is stored the page starts afresh: the first pane, no point, no results.
    window.setTimeout(function () {
      offlineError.hidden = true;
      lat.value = ""; lng.value = "";
      pointText.textContent = text.tap;
      if (marker) { marker.remove(); marker = null; }
      document.getElementById("building-results").textContent = "";
      showPane();
    });
  });

  showPane();
})();
