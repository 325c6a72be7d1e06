/* evaluation forms: Bootstrap's classes on the widgets Django renders bare (was an inline script). */
document.querySelectorAll(
  "form input:not([type=radio]):not([type=checkbox]), form select, form textarea"
).forEach(function (e) { e.classList.add(e.tagName === "SELECT" ? "form-select" : "form-control"); });
