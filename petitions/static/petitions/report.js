/* The resident's report form: "use my location", a photo's own position, or a tap on the map.
   Messages and addresses come in data-* attributes of #report-form (translated, reversed URLs). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var say = form.dataset;
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  var status = document.getElementById("location-status");
  var photoPosition = null;

  function place(la, ln) {
    lat.value = la.toFixed(6); lng.value = ln.toFixed(6);
    status.textContent = say.msgLocating;
    var url = say.locateUrl + "?lat=" + encodeURIComponent(la) + "&lng=" + encodeURIComponent(ln);
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
      status.textContent = g ? say.msgYourGrid + " " + g.name : say.msgOutside;
      status.dataset.grid = g ? g.name : "";
    });
  }

  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = say.msgNoGeolocation; return; }
    status.textContent = say.msgLocating;
    navigator.geolocation.getCurrentPosition(
      function (p) { place(p.coords.latitude, p.coords.longitude); },
      function () { status.textContent = say.msgNoPosition; },
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

  var pick = document.getElementById("pick-map");
  if (pick) {
    var proj = JSON.parse(document.getElementById("pick-projection").textContent);
    pick.addEventListener("click", function (event) {
      var pt = pick.createSVGPoint(); pt.x = event.clientX; pt.y = event.clientY;
      var p = pt.matrixTransform(pick.getScreenCTM().inverse());
      var dot = document.getElementById("pick-dot"); dot.setAttribute("cx", p.x); dot.setAttribute("cy", p.y);
      place(proj.maxLat - p.y / proj.scale, proj.minLng + p.x / (proj.kx * proj.scale));
    });
  }

  document.getElementById("use-photo-gps").addEventListener("click", function () {
    if (photoPosition) place(photoPosition.latitude, photoPosition.longitude);
    document.getElementById("photo-gps").classList.add("d-none");
  });
})();
