/* hlgrid: behaviours every page shares. The Content-Security-Policy forbids inline script and
   style attributes, so what templates used to say in onchange="", onsubmit="" and style="" they
   now say in data-* attributes, read here. */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  // <form data-confirm="question">: sent only when the user agrees.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // <div data-hl-width="42">: a width in percent (progress bars). Set through the CSSOM, which
  // the policy allows, rather than a style attribute, which it does not.
  function widths(root) {
    if (!root || !root.querySelectorAll) return;
    var found = Array.prototype.slice.call(root.querySelectorAll("[data-hl-width]"));
    if (root.matches && root.matches("[data-hl-width]")) found.push(root);
    found.forEach(function (el) { el.style.width = el.getAttribute("data-hl-width") + "%"; });
  }

  widths(document);
  // htmx announces every piece of page it swaps in.
  document.addEventListener("htmx:load", function (event) { widths(event.target); });

  // The menu marks where the user is: the link of the current page (or of the section it is in).
  (function currentPage() {
    var here = window.location.pathname, best = null;
    document.querySelectorAll("nav [data-nav]").forEach(function (link) {
      var path = new URL(link.href, window.location.href).pathname;
      if (path !== "/" && here.indexOf(path) === 0 && (!best || path.length > best.path.length)) best = { path: path };
    });
    if (!best) return;
    document.querySelectorAll("nav [data-nav]").forEach(function (link) {
      if (new URL(link.href, window.location.href).pathname === best.path) link.setAttribute("aria-current", "page");
    });
  })();
})();
