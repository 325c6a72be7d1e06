/* The visit form: the problem box follows its checkbox; the position is offered, never required.
   The messages come translated in data-* attributes of #location-status. */
(function () {
  "use strict";
  var problem = document.getElementById("id_problem_found"), box = document.getElementById("problem-box");
  var lat = document.getElementById("id_latitude"), lng = document.getElementById("id_longitude");
  var holder = document.getElementById("location-status");
  if (!problem || !box || !lat || !lng || !holder) return;
  var say = holder.dataset, status = holder.querySelector("span"), clear = document.getElementById("location-clear");
  problem.addEventListener("change", function () {
    box.hidden = !problem.checked;
    if (problem.checked) document.getElementById("id_problem_description").focus();
  });
  clear.addEventListener("click", function () {
    lat.value = ""; lng.value = ""; status.textContent = say.msgLeftOut; clear.hidden = true;
  });
  if (!navigator.geolocation) { status.textContent = say.msgNoGeolocation; return; }
  navigator.geolocation.getCurrentPosition(function (pos) {
    lat.value = pos.coords.latitude.toFixed(6); lng.value = pos.coords.longitude.toFixed(6);
    status.textContent = say.msgFound.replace("{m}", Math.round(pos.coords.accuracy)).replace("{t}", say.toleranceM);
    clear.hidden = false;
  }, function () {
    status.textContent = say.msgNoPosition;
  }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
})();
