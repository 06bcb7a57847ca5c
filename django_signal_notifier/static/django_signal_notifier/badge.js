/* django-signal-notifier: live unread badge and inbox list. No build step, no dependencies.
   Markup: <span data-signal-notifier-badge data-url="..." data-stream="..." data-interval="30">n</span>
   (rendered by {% notification_badge %}); the badge is hidden while the count is 0.
   With data-stream (the server runs under ASGI with a pub/sub) one EventSource per page carries
   the changes as they happen: the badges show its counts and a list marked
   data-signal-notifier-live gets new notifications on top; the browser resumes a dropped stream
   with Last-Event-ID. Without it, or when the stream is refused, each badge polls the
   unread-count endpoint with If-None-Match, so an unchanged count costs a 304 with no body.
   Dispatches "signal-notifier:unread" on document with {detail: {count}} when the count changes,
   "signal-notifier:notification" with {detail: notification} for each new one and
   "signal-notifier:change" with {detail: {kind, ids, unread_count}} for read/archived rows;
   dispatch "signal-notifier:refresh" to poll now. */
(function () {
  "use strict";
  if (window.signalNotifierBadge) { return; }

  function Badge(element) {
    this.element = element;
    this.url = element.getAttribute("data-url");
    this.interval = Math.max(1, parseFloat(element.getAttribute("data-interval")) || 30) * 1000;
    this.etag = null;
    this.failures = 0;
    this.timer = null;
    this.streaming = false;
  }

  Badge.prototype.show = function (count) {
    var element = this.element;
    if (String(count) === element.getAttribute("data-count")) { return; }
    element.setAttribute("data-count", String(count));
    var number = element.querySelector(".signal-notifier-badge-count") || element;
    number.textContent = String(count);
    element.hidden = !count;
    document.dispatchEvent(new CustomEvent("signal-notifier:unread", { detail: { count: count } }));
  };

  Badge.prototype.poll = function () {
    var self = this;
    var headers = { "Accept": "application/json" };
    if (self.etag) { headers["If-None-Match"] = self.etag; }
    return fetch(self.url, { credentials: "same-origin", cache: "no-store", headers: headers })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        self.etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (body) {
        self.failures = 0;
        if (body && typeof body.unread_count === "number") { self.show(body.unread_count); }
      })
      .catch(function () { self.failures = Math.min(self.failures + 1, 6); })
      .then(function () { self.schedule(); });
  };

  Badge.prototype.schedule = function () {
    var self = this;
    clearTimeout(self.timer);
    if (self.streaming) { return; }  // the stream tells the count: no timer
    // Back off after failures (up to 64 intervals); poll no more than needed while hidden.
    var delay = self.interval * Math.pow(2, self.failures) * (document.hidden ? 4 : 1);
    self.timer = setTimeout(function () { self.poll(); }, delay);
  };

  /* The page's live lists: a new notification goes on top, a read or archived one changes. */
  function liveLists() { return document.querySelectorAll("[data-signal-notifier-live]"); }

  function newestShown() {
    var newest = 0;
    var items = document.querySelectorAll("[data-signal-notifier-live] > li[id^='notification-']");
    for (var i = 0; i < items.length; i++) {
      newest = Math.max(newest, parseInt(items[i].id.slice("notification-".length), 10) || 0);
    }
    return newest;
  }

  function item(notification) {
    var li = document.createElement("li");
    li.id = "notification-" + notification.id;
    li.className = "dsn-item " + (notification.unread ? "unread" : "read");
    li.setAttribute("data-live", "");
    var content = document.createElement("div");
    content.className = "dsn-content";
    var title = document.createElement("p");
    title.className = "dsn-title";
    var text = notification.title || notification.verb || "";
    if (notification.url) {
      var link = document.createElement("a");
      link.href = notification.url;
      link.textContent = text;
      title.appendChild(link);
    } else {
      title.textContent = text;
    }
    var meta = document.createElement("p");
    meta.className = "dsn-meta";
    var time = document.createElement("time");
    time.setAttribute("datetime", notification.created_at);
    time.textContent = new Date(notification.created_at).toLocaleTimeString();
    if (notification.actor && notification.actor.text) {
      meta.appendChild(document.createTextNode(notification.actor.text + " · "));
    }
    meta.appendChild(time);
    content.appendChild(title);
    content.appendChild(meta);
    if (notification.body) {
      var body = document.createElement("div");
      body.className = "dsn-body signal-notifier-body";
      body.textContent = notification.body;
      content.appendChild(body);
    }
    li.appendChild(content);
    return li;
  }

  function prepend(notification) {
    var lists = liveLists();
    for (var i = 0; i < lists.length; i++) {
      if (document.getElementById("notification-" + notification.id)) { continue; }
      lists[i].insertBefore(item(notification), lists[i].firstChild);
      lists[i].hidden = false;
      var empty = lists[i].parentNode.querySelector(".dsn-empty");
      if (empty) { empty.hidden = true; }
    }
  }

  function change(kind, ids) {
    ids.forEach(function (id) {
      var li = document.getElementById("notification-" + id);
      if (!li) { return; }
      if (kind === "read" || kind === "unread") {
        li.classList.toggle("unread", kind === "unread");
        li.classList.toggle("read", kind === "read");
      } else if (kind === "archived") {
        li.hidden = true;
      } else if (kind === "unarchived") {
        li.hidden = false;
      }
    });
  }

  function stream(url, badges) {
    var after = newestShown();
    var source = new EventSource(url + (after ? (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + after : ""));
    badges.forEach(function (badge) { badge.streaming = true; clearTimeout(badge.timer); });
    function data(event) { try { return JSON.parse(event.data); } catch (error) { return {}; } }
    source.addEventListener("count", function (event) {
      var body = data(event);
      if (typeof body.unread_count === "number") {
        badges.forEach(function (badge) { badge.show(body.unread_count); });
      }
    });
    source.addEventListener("notification", function (event) {
      var notification = data(event);
      prepend(notification);
      document.dispatchEvent(new CustomEvent("signal-notifier:notification", { detail: notification }));
    });
    ["read", "unread", "archived", "unarchived", "changed"].forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        var body = data(event);
        change(kind, body.ids || []);
        document.dispatchEvent(new CustomEvent("signal-notifier:change", {
          detail: { kind: kind, ids: body.ids || [], unread_count: body.unread_count }
        }));
      });
    });
    source.addEventListener("reset", function () {
      // More was missed than the server replays: the list is redrawn by the server.
      if (liveLists().length) { window.location.reload(); }
    });
    source.onerror = function () {
      // CLOSED: the server refused the stream (204 under WSGI, an error): poll instead. Otherwise
      // the browser reconnects by itself, sending Last-Event-ID.
      if (source.readyState === EventSource.CLOSED) {
        badges.forEach(function (badge) { badge.streaming = false; badge.schedule(); });
      }
    };
    return source;
  }

  function start() {
    var badges = [];
    var streams = {};
    var elements = document.querySelectorAll("[data-signal-notifier-badge]");
    for (var i = 0; i < elements.length; i++) {
      if (!elements[i].getAttribute("data-url")) { continue; }
      var badge = new Badge(elements[i]);
      badges.push(badge);
      var streamUrl = elements[i].getAttribute("data-stream");
      if (streamUrl && window.EventSource) {
        (streams[streamUrl] = streams[streamUrl] || []).push(badge);
      } else {
        badge.schedule();
      }
    }
    var sources = Object.keys(streams).map(function (url) { return stream(url, streams[url]); });
    function pollAll() { badges.forEach(function (badge) { badge.poll(); }); }
    function pollPolling() { badges.forEach(function (badge) { if (!badge.streaming) { badge.poll(); } }); }
    document.addEventListener("signal-notifier:refresh", pollAll);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { pollPolling(); } });
    window.signalNotifierBadge = { badges: badges, refresh: pollAll, sources: sources };
  }

  window.signalNotifierBadge = { pending: true };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
