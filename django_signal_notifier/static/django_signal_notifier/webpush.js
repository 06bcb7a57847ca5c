/* django-signal-notifier: subscribe this browser to Web Push. No build step, no dependencies.
   Markup: <script src="{% static 'django_signal_notifier/webpush.js' %}"
             data-api="/inbox/api/v1/push/webpush/"
             data-worker="{% static 'django_signal_notifier/webpush-sw.js' %}" defer></script>
   then call window.signalNotifierWebPush.subscribe() from a click (browsers ask for the permission
   only after a user gesture) and .unsubscribe() to stop. Both return promises; subscribe() resolves
   to the registered device ({id, push_service, user_agent, ...}). The API call carries the session
   cookie and Django's CSRF token (read from the csrftoken cookie). */
(function () {
  "use strict";
  if (window.signalNotifierWebPush) { return; }
  var script = document.currentScript;
  var api = (script && script.getAttribute("data-api")) || "/inbox/api/v1/push/webpush/";
  var worker = (script && script.getAttribute("data-worker")) || "/static/django_signal_notifier/webpush-sw.js";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function call(method, body) {
    return fetch(api, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) { throw new Error(answer.error || ("HTTP " + response.status)); }
        return answer;
      });
    });
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function subscribe() {
    if (!supported()) { return Promise.reject(new Error("This browser does not support Web Push.")); }
    return call("GET").then(function (answer) {
      if (!answer.vapid_public_key) { throw new Error("Web Push is not configured on this site."); }
      return Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { throw new Error("Notifications were not allowed."); }
        return navigator.serviceWorker.register(worker);
      }).then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true,
            applicationServerKey: keyBytes(answer.vapid_public_key)
          });
        });
      });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      body.user_agent = navigator.userAgent.slice(0, 300);
      return call("POST", body);
    });
  }

  function unsubscribe() {
    if (!supported()) { return Promise.resolve({ removed: 0 }); }
    return navigator.serviceWorker.getRegistration(worker).then(function (registration) {
      return registration && registration.pushManager.getSubscription();
    }).then(function (subscription) {
      if (!subscription) { return { removed: 0 }; }
      var endpoint = subscription.endpoint;
      return subscription.unsubscribe().then(function () { return call("DELETE", { endpoint: endpoint }); });
    });
  }

  window.signalNotifierWebPush = { subscribe: subscribe, unsubscribe: unsubscribe, supported: supported };
})();
