/* The outbox: what was made without signal, kept in IndexedDB (idb) until the server has it.
   Loaded by the pages (static/js/outbox.js) and by the service worker (Background Sync), so it
   uses no DOM. Each item carries an Idempotency-Key made on the phone: a retry, even after a
   half-finished sync (the visit sent, one of its photos not), creates nothing twice.

   item = {key, kind, label, url, fields: [[name, value]...], photos: [Blob], inlinePhotos,
           photosUrl ("/api/v1/visits/{id}/photos/"), createdAt, state, message, result, photosSent}
   state: "waiting" (to send), "sent", "conflict" (the server refused it: its message is kept
   until the worker deletes the item). */
(function (root) {
  "use strict";
  var DB_NAME = "hlgrid-outbox", STORE = "items";

  function open() {
    return root.idb.openDB(DB_NAME, 1, {
      upgrade: function (db) { db.createObjectStore(STORE, { keyPath: "key" }); }
    });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function put(item) { return open().then(function (db) { return db.put(STORE, item); }); }

  function all() {
    return open().then(function (db) { return db.getAll(STORE); }).then(function (items) {
      return items.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }

  function remove(key) { return open().then(function (db) { return db.delete(STORE, key); }); }

  function add(item) {
    item.key = item.key || newKey();
    item.createdAt = item.createdAt || new Date().toISOString();
    item.state = "waiting";
    item.photosSent = 0;
    item.result = null;
    item.message = "";
    return put(item).then(function () { return item; });
  }

  function NetworkDown(message) { this.message = message; }

  // The server's words for a refusal: its "detail" and the fields' errors.
  function explain(response) {
    return response.json().then(function (body) {
      var parts = [];
      if (body && body.detail) parts.push(body.detail);
      if (body && body.errors) {
        Object.keys(body.errors).forEach(function (field) {
          [].concat(body.errors[field]).forEach(function (e) { if (parts.indexOf(e) < 0) parts.push(e); });
        });
      }
      return parts.join(" ") || ("HTTP " + response.status);
    }, function () { return "HTTP " + response.status; });
  }

  function post(url, body, key, csrf) {
    var headers = { "Idempotency-Key": key, "Accept": "application/json" };
    if (csrf) headers["X-CSRFToken"] = csrf;
    return root.fetch(url, { method: "POST", body: body, headers: headers, credentials: "same-origin" })
      .catch(function (error) { throw new NetworkDown(String(error)); })
      .then(function (response) {
        if (response.ok) return response.json();
        // Server trouble, a throttle, a lost session: try again later, the item waits.
        if (response.status >= 500 || response.status === 429 || response.status === 401 || response.status === 403) {
          return explain(response).then(function (message) { throw new NetworkDown(message); });
        }
        // 400, 404, 409, 422: a conflict only the worker can settle (a household moved to
        // another grid, a petition changed meanwhile, a key reused).
        return explain(response).then(function (message) { var e = new Error(message); e.conflict = true; throw e; });
      });
  }

  function sendOne(item, csrf) {
    var first = item.result ? Promise.resolve(item.result) : (function () {
      var body = new FormData();
      item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      if (item.inlinePhotos) item.photos.forEach(function (blob, i) { body.append("photos", blob, "photo-" + (i + 1) + ".jpg"); });
      return post(item.url, body, item.key, csrf).then(function (answer) {
        item.result = answer;
        if (item.inlinePhotos) item.photosSent = item.photos.length;
        return put(item).then(function () { return answer; });
      });
    })();
    return first.then(function (answer) {
      var chain = Promise.resolve();
      if (!item.inlinePhotos && item.photosUrl) {
        item.photos.forEach(function (blob, i) {
          chain = chain.then(function () {
            if (i < item.photosSent) return null;
            var body = new FormData();
            body.append("photo", blob, "photo-" + (i + 1) + ".jpg");
            return post(item.photosUrl.replace("{id}", answer.id), body, item.key + ":photo:" + i, csrf).then(function () {
              item.photosSent = i + 1;
              return put(item);
            });
          });
        });
      }
      return chain;
    }).then(function () {
      item.state = "sent";
      item.sentAt = new Date().toISOString();
      item.message = "";
      return put(item);
    }, function (error) {
      if (error && error.conflict) {
        item.state = "conflict";
        item.message = error.message;
        return put(item);
      }
      item.message = error && error.message || "";
      return put(item).then(function () { throw error; });
    });
  }

  var running = null;

  // Sends every waiting item, oldest first; stops at the first network failure (the rest wait).
  function flush(csrf) {
    if (running) return running;
    running = all().then(function (items) {
      var chain = Promise.resolve(0), sent = 0;
      items.filter(function (item) { return item.state === "waiting"; }).forEach(function (item) {
        chain = chain.then(function () {
          return sendOne(item, csrf || item.csrf).then(function () { if (item.state === "sent") sent += 1; });
        });
      });
      return chain.then(function () { return sent; });
    }).finally(function () { running = null; });
    return running;
  }

  // Sends the sent items once more with their own keys: the server answers its first answers
  // and creates nothing (a check that a repeated sync changes nothing).
  function resendSent() {
    return all().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.state === "sent"; }).map(function (item) {
        item.state = "waiting"; item.result = null; item.photosSent = 0;
        return put(item);
      }));
    });
  }

  root.HLOutbox = { add: add, all: all, remove: remove, flush: flush, resendSent: resendSent, newKey: newKey, NetworkDown: NetworkDown };
})(self);
