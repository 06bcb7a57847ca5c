/* django-signal-notifier: live unread badge. Polls the unread-count endpoint with If-None-Match,
   so an unchanged count costs a 304 with no body. No build step, no dependencies.
   Markup: <span data-signal-notifier-badge data-url="..." data-interval="30">n</span>
   (rendered by {% notification_badge %}); the badge is hidden while the count is 0. Dispatches
   "signal-notifier:unread" on document with {detail: {count}} when the count changes; dispatch
   "signal-notifier:refresh" to poll now. */
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
    // Back off after failures (up to 64 intervals); poll no more than needed while hidden.
    var delay = self.interval * Math.pow(2, self.failures) * (document.hidden ? 4 : 1);
    self.timer = setTimeout(function () { self.poll(); }, delay);
  };

  function start() {
    var badges = [];
    var elements = document.querySelectorAll("[data-signal-notifier-badge]");
    for (var i = 0; i < elements.length; i++) {
      if (elements[i].getAttribute("data-url")) {
        var badge = new Badge(elements[i]);
        badges.push(badge);
        badge.schedule();
      }
    }
    function pollAll() { badges.forEach(function (badge) { badge.poll(); }); }
    document.addEventListener("signal-notifier:refresh", pollAll);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { pollAll(); } });
    window.signalNotifierBadge = { badges: badges, refresh: pollAll };
  }

  window.signalNotifierBadge = { pending: true };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
