/* 我的网格: a tap on the grid map or the device's position → the public grid card
   (/api/v1/public/grid-card/) → the page of that grid. Messages and addresses come in data-*
   attributes of #my-grid (translated, reversed URLs); no inline script (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("my-grid");
  if (!root) return;
  var say = root.dataset;
  var status = document.getElementById("my-grid-status");

  function find(lat, lng) {
    status.textContent = say.msgLocating;
    var url = say.cardUrl + "?lat=" + encodeURIComponent(lat.toFixed(6)) + "&lng=" + encodeURIComponent(lng.toFixed(6));
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (answer.ok) {
          window.location.assign(say.pageUrl + "?grid=" + encodeURIComponent(answer.body.grid.id));
        } else {
          status.textContent = answer.body.detail || say.msgFailed;
          status.dataset.outside = "1";
        }
      })
      .catch(function () { status.textContent = say.msgFailed; });
  }

  document.getElementById("my-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = say.msgNoGeolocation; return; }
    status.textContent = say.msgLocating;
    navigator.geolocation.getCurrentPosition(
      function (p) { find(p.coords.latitude, p.coords.longitude); },
      function () { status.textContent = say.msgNoPosition; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

  var map = document.getElementById("my-grid-map");
  if (map) {
    var proj = JSON.parse(document.getElementById("my-grid-projection").textContent);
    map.addEventListener("click", function (event) {
      var pt = map.createSVGPoint(); pt.x = event.clientX; pt.y = event.clientY;
      var p = pt.matrixTransform(map.getScreenCTM().inverse());
      var dot = document.getElementById("my-grid-dot"); dot.setAttribute("cx", p.x); dot.setAttribute("cy", p.y);
      find(proj.maxLat - p.y / proj.scale, proj.minLng + p.x / (proj.kx * proj.scale));
    });
  }
})();
