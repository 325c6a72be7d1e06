/* The app's offline side, on every page: registers the service worker (signed-in staff, the
   public report form), tells when a page is the copy kept from the last time online, keeps
   My day's households and their visit forms for offline use, stores the forms marked
   data-outbox in the outbox when there is no signal, sends them when it returns, and draws
   the outbox page. Translated words come in data-* attributes (the CSP allows no inline script). */
(function () {
  "use strict";
  var outbox = window.HLOutbox;
  var sw = document.querySelector('meta[name="hl-sw"]');
  var banner = document.getElementById("hl-offline");
  var PAGES = "hlgrid-pages";
  var KEPT = "hl-kept", KEPT_FRESH_MS = 30 * 60 * 1000, KEPT_AT_ONCE = 3;

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return values[name] !== undefined ? values[name] : ""; });
  }

  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    var two = function (n) { return ("0" + n).slice(-2); };
    return (d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
  }

  // --- the service worker ---------------------------------------------------------------------
  var registration = null;
  if (sw && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(sw.content, { scope: "/" }).then(function (reg) { registration = reg; })
      .catch(function () { /* no worker: the pages still work online */ });
  }
  function askSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("hl-outbox");
    }).catch(function () {});
  }

  // --- "this is the copy of ..." --------------------------------------------------------------
  function showOffline() {
    if (!banner) return;
    banner.querySelector("span").textContent = fmt(banner.dataset.msg, { time: when(banner.dataset.rendered) });
    banner.hidden = navigator.onLine;
  }
  window.addEventListener("offline", showOffline);
  window.addEventListener("online", showOffline);
  showOffline();

  // Signing out forgets the copies of pages (they hold residents' data); the outbox stays.
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action") || "";
    if (/\/logout\/?$/.test(action) && window.caches) {
      caches.delete(PAGES);
      try { localStorage.removeItem(KEPT); } catch (e) { /* private mode */ }
    }
  }, true);

  // --- My day: keep the households and their visit forms for offline use ----------------------
  var keep = document.querySelector("[data-offline-keep]");
  if (keep && navigator.onLine && window.caches) {
    var urls = [];
    keep.querySelectorAll("a[href]").forEach(function (link) {
      var path = new URL(link.href, location.href).pathname;
      if (/^\/residents\/households\/\d+\/(visit\/)?$/.test(path) && urls.indexOf(path) < 0) urls.push(path);
      var house = path.match(/^(\/residents\/households\/\d+\/)visit\/$/);
      if (house && urls.indexOf(house[1]) < 0) urls.push(house[1]);
    });
    // Pages the navigation marks for offline use (the intake form), with their own files.
    var pages = [];
    document.querySelectorAll("a[data-offline-page][href]").forEach(function (link) {
      var path = new URL(link.href, location.href).pathname;
      if (pages.indexOf(path) < 0) pages.push(path);
    });
    urls = [location.pathname, keep.dataset.offlineKeep].concat(pages).filter(Boolean).concat(urls.slice(0, 60));
    // The page's own files too, so that the copies open offline even from this first visit.
    var files = [];
    document.querySelectorAll('link[rel="stylesheet"][href], script[src]').forEach(function (el) { files.push(el.href || el.src); });
    var sprite = document.querySelector("svg.hl-icon use");
    if (sprite) files.push(new URL(sprite.getAttribute("href"), location.href).href.split("#")[0]);
    caches.open("hlgrid-static").then(function (cache) { return cache.addAll(files); }).catch(function () {});
    keepPages(urls, pages);
  }

  // The stylesheets and scripts a kept page loads beyond My day's own (the intake form's map).
  function keepAssets(response) {
    return response.text().then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html"), files = [];
      page.querySelectorAll('link[rel="stylesheet"][href], script[src]').forEach(function (el) {
        var url = new URL(el.getAttribute("href") || el.getAttribute("src"), location.href);
        if (url.origin === location.origin && files.indexOf(url.href) < 0) files.push(url.href);
      });
      return caches.open("hlgrid-static").then(function (cache) { return cache.addAll(files); });
    }).catch(function () {});
  }

  // My day's copies (keepPages, below) are made again only when the list changed or the last
  // copy is older than KEPT_FRESH_MS, a few at a time, and never through a redirect: a copy
  // fetched after signing out would be the login page, and answering it would hand the browser
  // a new CSRF cookie that the login form being shown no longer matches.
  function keepPages(urls, withAssets) {
    var list = urls.join(" "), stored = null;
    try { stored = JSON.parse(localStorage.getItem(KEPT) || "null"); } catch (e) { stored = null; }
    var ready = function () { document.body.setAttribute("data-offline-ready", String(urls.length)); };
    caches.open(PAGES).then(function (cache) {
      return cache.match(urls[urls.length - 1]).then(function (copy) {
        if (copy && stored && stored.list === list && Date.now() - stored.at < KEPT_FRESH_MS) return;
        var abort = new AbortController(), queue = urls.slice();
        window.addEventListener("pagehide", function () { abort.abort(); }, { once: true });
        function next() {
          var url = queue.shift();
          if (!url || abort.signal.aborted) return Promise.resolve();
          return fetch(url, { credentials: "same-origin", redirect: "error", signal: abort.signal })
            .then(function (response) {
              if (!response.ok) return;
              var assets = withAssets.indexOf(url) >= 0 ? keepAssets(response.clone()) : null;
              return Promise.all([cache.put(url, response), assets]);
            })
            .catch(function () {})
            .then(next);
        }
        var workers = [];
        for (var i = 0; i < KEPT_AT_ONCE; i++) workers.push(next());
        return Promise.all(workers).then(function () {
          if (abort.signal.aborted) return;
          try { localStorage.setItem(KEPT, JSON.stringify({ list: list, at: Date.now() })); } catch (e) { /* private mode */ }
        });
      });
    }).catch(function () {}).then(ready);
  }
  // --- forms stored in the outbox when there is no signal -------------------------------------
  function resize(file, longest) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, longest / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.82);
      });
    }).catch(function () { return file; });
  }

  // What a form stores is only what the API takes: the page's own helpers are skipped
  // (data-outbox-skip="name ..."), and a field that belongs to one way of filling the form is
  // kept only when that way is chosen (data-outbox-mode names the choice, data-outbox-only
  // "field=choice;..." the fields that depend on it).
  var SKIP = ["csrfmiddlewaretoken", "idempotency_key"];
  function pairs(text) {
    var map = {};
    (text || "").split(";").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) map[pair.slice(0, at)] = pair.slice(at + 1);
    });
    return map;
  }
  function capture(form) {
    var data = new FormData(form), fields = [], files = [];
    var skip = SKIP.concat((form.dataset.outboxSkip || "").split(" ").filter(Boolean));
    var only = pairs(form.dataset.outboxOnly);
    var mode = form.dataset.outboxMode ? (data.get(form.dataset.outboxMode) || "") : "";
    data.forEach(function (value, name) {
      if (skip.indexOf(name) >= 0) return;
      if (only[name] !== undefined && only[name] !== mode) return;
      if (value instanceof File) { if (value.size) files.push(value); return; }
      if (value === "") return;
      var field = form.elements[name];
      if (field && field.type === "checkbox" && value === "on") value = "true";
      fields.push([name, value]);
    });
    var fixed = pairs(form.dataset.outboxFields);
    Object.keys(fixed).forEach(function (name) { fields.push([name, fixed[name]]); });
    if (form.dataset.outboxTime) fields.push([form.dataset.outboxTime, new Date().toISOString()]);
    // The next step once the server has it ("{id}" is the answer's): the petition's page, or
    // the draft petition of a visit that found a problem (data-outbox-next-if names that field).
    var nextIf = form.dataset.outboxNextIf;
    var next = form.dataset.outboxNext && (!nextIf || fields.some(function (f) { return f[0] === nextIf && f[1] === "true"; }))
      ? form.dataset.outboxNext : "";
    return Promise.all(files.map(function (f) { return resize(f, 1600); })).then(function (photos) {
      return {
        kind: form.dataset.outbox,
        label: form.dataset.outboxLabel || document.title,
        url: form.dataset.outboxUrl,
        photosUrl: form.dataset.outboxPhotosUrl || "",
        inlinePhotos: !form.dataset.outboxPhotosUrl,
        next: next,
        fields: fields,
        photos: photos,
        csrf: csrf()
      };
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.outbox || navigator.onLine || !outbox) return;
    event.preventDefault();
    // The page may refuse to store an incomplete form (it says what is missing): without
    // signal the server's answer would come only later, as a refusal nobody can edit.
    if (!form.dispatchEvent(new CustomEvent("hl-outbox-check", { cancelable: true }))) return;
    capture(form).then(outbox.add).then(function () {
      askSync();
      form.reset();
      var done = document.getElementById("hl-outbox-saved");
      if (done) { done.hidden = false; done.scrollIntoView({ block: "center" }); }
      refreshCount();
    });
  }, true);

  // --- sending, and the outbox page -------------------------------------------------------------
  var count = document.getElementById("hl-outbox-count");
  function refreshCount() {
    if (!outbox || !count) return Promise.resolve();
    return outbox.all().then(function (items) {
      var open = items.filter(function (i) { return i.state !== "sent"; }).length;
      count.textContent = String(open);
      count.closest("[data-outbox-link]").hidden = open === 0;
    });
  }

  var list = document.getElementById("hl-outbox-list");
  function draw() {
    if (!outbox || !list) return refreshCount();
    return outbox.all().then(function (items) {
      var say = list.dataset;
      list.textContent = "";
      document.getElementById("hl-outbox-empty").hidden = items.length > 0;
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "list-group-item";
        li.dataset.testid = "outbox-item";
        li.dataset.state = item.state;
        li.dataset.kind = item.kind;
        var head = document.createElement("div");
        head.className = "d-flex justify-content-between gap-2";
        var title = document.createElement("span");
        title.className = "fw-semibold";
        title.textContent = (say["kind" + item.kind.charAt(0).toUpperCase() + item.kind.slice(1)] || item.kind) + " · " + item.label;
        var badge = document.createElement("span");
        badge.className = "badge " + ({ waiting: "text-bg-warning", sent: "text-bg-success", conflict: "text-bg-danger" }[item.state] || "text-bg-secondary");
        badge.textContent = say["state" + item.state.charAt(0).toUpperCase() + item.state.slice(1)] || item.state;
        head.appendChild(title); head.appendChild(badge); li.appendChild(head);
        var meta = document.createElement("div");
        meta.className = "small text-secondary";
        meta.textContent = fmt(say.msgMade, { time: when(item.createdAt), photos: item.photos.length, sent: item.photosSent });
        li.appendChild(meta);
        var tracking = item.result && (item.result.code || item.result.tracking_code);
        if (item.state === "sent" && tracking) {
          var code = document.createElement("div");
          code.className = "small";
          code.textContent = fmt(say.msgCode, { code: tracking });
          li.appendChild(code);
        }
        if (item.state === "sent" && item.next && item.result && item.result.id) {
          var link = document.createElement("a");
          link.className = "btn btn-sm btn-outline-primary mt-1 me-1";
          link.dataset.testid = "outbox-next";
          link.href = item.next.replace("{id}", encodeURIComponent(item.result.id));
          link.textContent = item.kind === "visit" ? say.msgNextDraft : say.msgNextOpen;
          li.appendChild(link);
        }
        if (item.message) {
          var msg = document.createElement("div");
          msg.className = "small " + (item.state === "conflict" ? "text-danger" : "text-secondary");
          msg.dataset.testid = "outbox-message";
          msg.textContent = item.message;
          li.appendChild(msg);
        }
        if (item.state !== "waiting") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "btn btn-sm btn-outline-secondary mt-1";
          drop.textContent = item.state === "conflict" ? say.msgDiscard : say.msgClear;
          drop.addEventListener("click", function () {
            if (item.state === "conflict" && !window.confirm(say.msgDiscardConfirm)) return;
            outbox.remove(item.key).then(draw);
          });
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      return refreshCount();
    });
  }

  // A send that does not reach the server while the phone says it is online (the signal is
  // back but weak, the network not quite up yet, the server busy) is tried again a little
  // later, twice as late each time up to a minute, as long as the page is open.
  var retryIn = 0, retryTimer = null;
  function send() {
    if (!outbox || !navigator.onLine) return Promise.resolve();
    window.clearTimeout(retryTimer);
    return outbox.flush(csrf()).then(function () { retryIn = 0; }, function () {
      retryIn = Math.min(retryIn ? retryIn * 2 : 3000, 60000);
      retryTimer = window.setTimeout(send, retryIn);
    }).then(draw)
      .then(function () { document.body.setAttribute("data-outbox-synced", String(Date.now())); });
  }

  var button = document.getElementById("hl-outbox-send");
  if (button) button.addEventListener("click", send);
  window.addEventListener("online", send);
  window.HLOutboxPage = { send: send, draw: draw };
  draw().then(send);
})();
