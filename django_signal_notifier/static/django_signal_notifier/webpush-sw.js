/* django-signal-notifier: the Web Push service worker. Shows each push as a notification and opens
   its link when clicked. The payload is what WebPushMessenger sends:
   {"title": "...", "body": "...", "url": "https://...", "data": {...}}.
   Registered by webpush.js; its scope is its own folder, which is all a push needs. */
"use strict";

self.addEventListener("push", function (event) {
  var payload = {};
  try { payload = event.data ? event.data.json() : {}; } catch (error) { payload = { body: event.data.text() }; }
  var title = payload.title || "Notification";
  event.waitUntil(self.registration.showNotification(title, {
    body: payload.body || "",
    data: { url: payload.url || "", data: payload.data || {} },
    tag: (payload.data && payload.data.tag) || undefined
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = event.notification.data && event.notification.data.url;
  if (!url) { return; }
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (windows[i].url === url && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(url);
  }));
});
