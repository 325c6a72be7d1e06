/* The service worker's part of the outbox: Background Sync ("hl-outbox") sends what waits, even
   with no page open; the pages send it too (on load, on "online", with the outbox's button). */
self.addEventListener("sync", function (event) {
  if (event.tag === "hl-outbox") event.waitUntil(self.HLOutbox.flush());
});
// The pages' cached copies hold personal data: signing out forgets them.
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "hl-forget-pages") event.waitUntil(caches.delete("hlgrid-pages"));
});
