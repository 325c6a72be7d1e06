/* The resident's topic form: "use my location" fills the hidden position and names the grid.
   Messages and the locate URL come in data-* attributes of #public-topic-form (the CSP refuses
   inline script). */
(function () {
  "use strict";
  var form = document.getElementById("public-topic-form");
  if (!form) return;
  var say = form.dataset;
  var lat = form.querySelector("input[name=latitude]");
  var lng = form.querySelector("input[name=longitude]");
  var status = document.getElementById("location-status");
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = say.msgNoPosition; return; }
    status.textContent = say.msgLocating;
    navigator.geolocation.getCurrentPosition(function (p) {
      lat.value = p.coords.latitude.toFixed(6); lng.value = p.coords.longitude.toFixed(6);
      var url = say.locateUrl + "?lat=" + encodeURIComponent(lat.value) + "&lng=" + encodeURIComponent(lng.value);
      fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
        status.textContent = g ? say.msgYourGrid + " " + g.name : say.msgOutside;
      });
    }, function () { status.textContent = say.msgNoPosition; }, { enableHighAccuracy: true, timeout: 10000 });
  });
})();
