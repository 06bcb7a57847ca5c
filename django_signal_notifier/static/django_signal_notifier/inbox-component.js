/* django-signal-notifier: the drop-in inbox web component. One file, no build step, no dependencies.

   <script type="module" src="{% static 'django_signal_notifier/inbox-component.js' %}"></script>
   <signal-notifier-badge api="/inbox/api/v1" controls="notifier-panel"></signal-notifier-badge>
   <signal-notifier-inbox id="notifier-panel" api="/inbox/api/v1" hidden></signal-notifier-inbox>

   Both read the HTTP API (/inbox/api/v1) with the site's session: writes send Django's CSRF token
   (the csrftoken cookie, else a <meta name="csrf-token">, else a csrfmiddlewaretoken input).
   <signal-notifier-badge>: the unseen (or, with count="unread", unread) count, polled every
   poll="30" seconds; with controls="<id>" it is a button that opens and closes that inbox.
   <signal-notifier-inbox>: the feed, newest first, with read/unread, archive, snooze and
   mute/follow per entry; opening it marks what it shows seen (mark-seen="false" to keep them new).
   It reads the grouped list (groups/: a group of notifications is one entry, "bob and 2 others
   liked your photo", expanded through groups/<id>/); the Snoozed folder, or grouped="false",
   reads the flat list (notifications/), as does an API without groups/.
   Themable with CSS variables (see docs/inbox-component.md); texts can be replaced with
   window.signalNotifierStrings = {...} before the script runs. Events on document:
   "signal-notifier:changed" after every write (badges refresh at once). */
(function () {
  "use strict";
  if (window.customElements === undefined || window.customElements.get("signal-notifier-inbox")) { return; }

  var STRINGS = Object.assign({
    title: "Notifications",
    badge: "Notifications",
    unseen: "{n} new",
    unread: "{n} unread",
    inbox: "Inbox",
    unreadFolder: "Unread",
    snoozedFolder: "Snoozed",
    folders: "Folders",
    markAllRead: "Mark all as read",
    markRead: "Mark as read",
    markUnread: "Mark as unread",
    archive: "Archive",
    snooze: "Snooze",
    snoozeFor: "Snooze for…",
    unsnooze: "Show now",
    mute: "Mute",
    follow: "Follow again",
    muted: "muted",
    snoozedUntil: "snoozed until {time}",
    more: "Load more",
    empty: "No notifications.",
    emptySnoozed: "Nothing snoozed.",
    failed: "The notifications could not be loaded.",
    members: "Show all {n}",
    loadingMembers: "Loading…",
    newItem: "New",
    snoozeChoices: [[3600, "For an hour"], [14400, "For 4 hours"], [86400, "Until tomorrow"], [604800, "For a week"]]
  }, window.signalNotifierStrings || {});

  function format(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { return meta.getAttribute("content"); }
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function apiBase(element) {
    return (element.getAttribute("api") || "/inbox/api/v1").replace(/\/+$/, "");
  }

  function request(base, method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body || {});
    }
    return fetch(base + path, options).then(function (response) {
      if (!response.ok) {
        var error = new Error(method + " " + path + ": " + response.status);
        error.status = response.status;
        throw error;
      }
      return response.json();
    });
  }

  function changed(source) {
    document.dispatchEvent(new CustomEvent("signal-notifier:changed", { detail: { source: source } }));
    document.dispatchEvent(new CustomEvent("signal-notifier:refresh"));  // badge.js polls now too
  }

  function safeUrl(url) {
    if (!url) { return ""; }
    var text = String(url).trim();
    if (text.indexOf("//") === 0) { return ""; }
    var scheme = text.match(/^([a-zA-Z][a-zA-Z0-9+.-]*):/);
    return !scheme || /^https?$/i.test(scheme[1]) ? text : "";
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function relativeTime(iso) {
    var then = new Date(iso), seconds = Math.round((Date.now() - then.getTime()) / 1000);
    var formatter = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }) : null;
    var steps = [[60, "second"], [3600, "minute"], [86400, "hour"], [604800, "day"]];
    if (!formatter || seconds >= 604800) { return then.toLocaleDateString(); }
    for (var i = 0; i < steps.length; i += 1) {
      if (seconds < steps[i][0]) {
        var unit = i === 0 ? 1 : steps[i - 1][0];
        return formatter.format(-Math.round(seconds / unit), steps[i][1]);
      }
    }
    return then.toLocaleDateString();
  }

  var SHARED_STYLE = [
    ":host { font-family: var(--sn-font, inherit); color: var(--sn-fg, #1f2328); }",
    ":host([hidden]), [hidden] { display: none !important; }",
    "button, select { font: inherit; }",
    ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    ":focus-visible { outline: 2px solid var(--sn-focus, var(--sn-accent, #2456a6)); outline-offset: 2px; }"
  ].join("\n");

  var INBOX_STYLE = SHARED_STYLE + [
    ":host { display: block; box-sizing: border-box; width: var(--sn-width, 24rem); max-width: var(--sn-max-width, 100vw);",
    "  background: var(--sn-bg, #fff); border: 1px solid var(--sn-border, #d0d7de); border-radius: var(--sn-radius, .5rem);",
    "  box-shadow: var(--sn-shadow, 0 8px 24px rgba(0,0,0,.12)); font-size: var(--sn-font-size, .9rem); }",
    "header { display: flex; align-items: center; gap: .5rem; padding: .6rem .8rem; border-bottom: 1px solid var(--sn-border, #d0d7de); }",
    "h2 { font-size: 1em; margin: 0; flex: 1; }",
    ".folders { display: flex; gap: .25rem; padding: .4rem .8rem 0; }",
    ".folders button { border: 0; background: none; padding: .2rem .5rem; border-radius: 1rem; color: var(--sn-muted, #57606a); cursor: pointer; }",
    ".folders button[aria-pressed=true] { background: var(--sn-accent, #2456a6); color: var(--sn-accent-fg, #fff); }",
    ".feed { max-height: var(--sn-max-height, 28rem); overflow-y: auto; margin: 0; padding: .3rem 0; }",
    "article { position: relative; padding: .55rem .8rem .55rem 1.3rem; border-bottom: 1px solid var(--sn-divider, #eef1f4); }",
    "article:last-child { border-bottom: 0; }",
    "article.unread { background: var(--sn-unread-bg, #f3f7ff); }",
    "article.unread::before { content: ''; position: absolute; left: .5rem; top: 1rem; width: .45rem; height: .45rem;",
    "  border-radius: 50%; background: var(--sn-accent, #2456a6); }",
    ".title { margin: 0; font-weight: 600; }",
    "article:not(.unread) .title { font-weight: 400; }",
    ".title a { color: var(--sn-link, var(--sn-accent, #2456a6)); text-decoration: none; }",
    ".title a:hover { text-decoration: underline; }",
    ".new { font-size: .75em; font-weight: 600; text-transform: uppercase; color: var(--sn-accent, #2456a6); margin-left: .4em; }",
    ".meta, .group { color: var(--sn-muted, #57606a); font-size: .85em; margin: .15rem 0 0; }",
    ".group ul { margin: .2rem 0 0; padding-left: 1.1rem; }",
    ".group summary { cursor: pointer; }",
    ".group li.unread { font-weight: 600; }",
    ".actions { display: flex; flex-wrap: wrap; gap: .2rem .7rem; margin-top: .3rem; }",
    ".actions button, .actions select, header button, .more { border: 0; background: none; padding: 0; cursor: pointer;",
    "  color: var(--sn-action, var(--sn-muted, #57606a)); font-size: .82em; }",
    ".actions button:hover, header button:hover, .more:hover { color: var(--sn-accent, #2456a6); text-decoration: underline; }",
    ".actions select { border: 1px solid var(--sn-border, #d0d7de); border-radius: .25rem; background: var(--sn-bg, #fff); }",
    ".empty, .error { padding: 1rem .8rem; margin: 0; color: var(--sn-muted, #57606a); }",
    ".error { color: var(--sn-error, #b42318); }",
    ".more { display: block; margin: .4rem auto .6rem; }"
  ].join("\n");

  var BADGE_STYLE = SHARED_STYLE + [
    ":host { display: inline-block; }",
    "button, a { position: relative; display: inline-flex; align-items: center; gap: .3rem; border: 0; background: none;",
    "  color: var(--sn-badge-fg, inherit); cursor: pointer; padding: .25rem; font: inherit; text-decoration: none; }",
    "svg { width: var(--sn-badge-icon-size, 1.3rem); height: var(--sn-badge-icon-size, 1.3rem); }",
    ".count { min-width: 1.1rem; padding: 0 .3rem; border-radius: 1rem; background: var(--sn-badge-bg, #d1242f);",
    "  color: var(--sn-badge-count-fg, #fff); font-size: .75rem; font-weight: 700; line-height: 1.1rem; text-align: center; }",
    ".count[hidden] { display: none; }"
  ].join("\n");

  var BELL = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/></svg>';

  /* ---------------------------------------------------------------- the inbox */

  class SignalNotifierInbox extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.entries = [];
      this.nextCursor = null;  // the flat list's cursor, or the grouped list's next page number
      this.groupsMissing = false;
      this.folder = "active";
      this.loading = false;
      this.onChanged = this.onChanged.bind(this);
    }

    connectedCallback() {
      if (!this.rendered) { this.renderFrame(); }
      document.addEventListener("signal-notifier:changed", this.onChanged);
      if (!this.hidden) { this.open(); }
    }

    disconnectedCallback() {
      document.removeEventListener("signal-notifier:changed", this.onChanged);
    }

    onChanged(event) {
      if (event.detail && event.detail.source === this) { return; }
      if (!this.hidden) { this.load(false); }
    }

    /** Show the inbox (if hidden), load its first page and mark what it shows seen. */
    open() {
      this.hidden = false;
      var self = this;
      return this.load(false).then(function () {
        if (self.getAttribute("mark-seen") === "false" || self.folder === "snoozed") { return null; }
        if (!self.entries.some(function (entry) { return entry.seen === false; })) { return null; }
        return request(apiBase(self), "POST", "/notifications/seen-all/").then(function () { changed(self); });
      }).catch(function () { return null; });
    }

    close() { this.hidden = true; }

    renderFrame() {
      this.rendered = true;
      var root = this.shadowRoot;
      root.appendChild(el("style", { text: INBOX_STYLE }));
      var heading = el("h2", { id: "sn-title", text: STRINGS.title });
      this.readAllButton = el("button", { type: "button", part: "mark-all-read", text: STRINGS.markAllRead });
      this.readAllButton.addEventListener("click", this.markAllRead.bind(this));
      root.appendChild(el("header", { part: "header" }, [heading, this.readAllButton]));
      var folders = el("div", { class: "folders", role: "group", "aria-label": STRINGS.folders });
      this.folderButtons = {};
      [["active", STRINGS.inbox], ["unread", STRINGS.unreadFolder], ["snoozed", STRINGS.snoozedFolder]].forEach(function (pair) {
        var button = el("button", { type: "button", "aria-pressed": String(pair[0] === this.folder), "data-folder": pair[0], text: pair[1] });
        button.addEventListener("click", this.showFolder.bind(this, pair[0]));
        this.folderButtons[pair[0]] = button;
        folders.appendChild(button);
      }, this);
      root.appendChild(folders);
      this.status = el("p", { class: "error", role: "alert", hidden: true });
      root.appendChild(this.status);
      this.feed = el("div", { class: "feed", role: "feed", "aria-labelledby": "sn-title", "aria-busy": "false", part: "feed" });
      this.feed.addEventListener("keydown", this.onKey.bind(this));
      root.appendChild(this.feed);
      this.moreButton = el("button", { type: "button", class: "more", hidden: true, text: STRINGS.more });
      this.moreButton.addEventListener("click", this.load.bind(this, true));
      root.appendChild(this.moreButton);
      this.setAttribute("role", this.getAttribute("role") || "region");
      this.setAttribute("aria-label", this.getAttribute("aria-label") || STRINGS.title);
    }

    showFolder(folder) {
      this.folder = folder;
      Object.keys(this.folderButtons).forEach(function (name) {
        this.folderButtons[name].setAttribute("aria-pressed", String(name === folder));
      }, this);
      return this.load(false);
    }

    /** Entries are groups (groups/) except in the Snoozed folder, which groups/ does not list. */
    grouped() {
      return this.folder !== "snoozed" && this.getAttribute("grouped") !== "false" && !this.groupsMissing;
    }

    query(more) {
      var parts = ["limit=" + encodeURIComponent(this.getAttribute("page-size") || "20")];
      if (this.grouped()) {
        parts.push("show=" + (this.folder === "unread" ? "unread" : "active"));
        if (more && this.nextCursor) { parts.push("page=" + encodeURIComponent(this.nextCursor)); }
        return "/groups/?" + parts.join("&");
      }
      if (this.folder === "unread") { parts.push("unread=true"); }
      if (this.folder === "snoozed") { parts.push("snoozed=true"); }
      if (more && this.nextCursor) { parts.push("cursor=" + encodeURIComponent(this.nextCursor)); }
      return "/notifications/?" + parts.join("&");
    }

    load(more) {
      var self = this;
      this.feed.setAttribute("aria-busy", "true");
      var grouped = this.grouped();
      return request(apiBase(this), "GET", this.query(more)).then(function (page) {
        self.entries = more ? self.entries.concat(page.results) : page.results;
        self.nextCursor = grouped ? (page.page < page.num_pages ? page.page + 1 : null) : page.next_cursor;
        self.status.hidden = true;
        self.renderEntries();
      }, function (error) {
        if (!grouped || error.status !== 404) { throw error; }
        self.groupsMissing = true;  // an API without groups/: entry by entry
        return self.load(more);
      }).catch(function () {
        self.status.textContent = STRINGS.failed;
        self.status.hidden = false;
      }).then(function () { self.feed.setAttribute("aria-busy", "false"); });
    }

    renderEntries() {
      var feed = this.feed, focused = this.shadowRoot.activeElement;
      var focusedId = focused && focused.closest && focused.closest("article") ? focused.closest("article").dataset.id : null;
      feed.textContent = "";
      if (!this.entries.length) {
        feed.appendChild(el("p", { class: "empty", text: this.folder === "snoozed" ? STRINGS.emptySnoozed : STRINGS.empty }));
      }
      this.entries.forEach(function (entry, index) {
        feed.appendChild(this.renderEntry(entry, index));
      }, this);
      this.moreButton.hidden = !this.nextCursor;
      if (focusedId) {
        var again = feed.querySelector('article[data-id="' + focusedId + '"]');
        if (again) { again.focus(); }
      }
    }

    renderEntry(entry, index) {
      var titleId = "sn-entry-" + entry.id, metaId = "sn-meta-" + entry.id;
      var url = safeUrl(entry.url);
      var text = entry.summary || entry.title, unread = this.isUnread(entry);
      var title = el("p", { class: "title", id: titleId }, [
        url ? el("a", { href: url, text: text }) : document.createTextNode(text)
      ]);
      if (unread) { title.insertBefore(el("span", { class: "sr", text: STRINGS.unreadFolder + ": " }), title.firstChild); }
      if (entry.seen === false) { title.appendChild(el("span", { class: "new", text: STRINGS.newItem })); }
      var meta = [];
      if (entry.group && entry.group.actor_count > 1) {
        meta.push(entry.group.actors_text);
      } else if (entry.actor && entry.actor.text) {
        meta.push(entry.actor.text);
      }
      meta.push(relativeTime(entry.created_at));
      if (this.folder === "snoozed" && entry.snoozed_until) {
        meta.push(format(STRINGS.snoozedUntil, { time: new Date(entry.snoozed_until).toLocaleString() }));
      }
      if (entry.thread && entry.thread.muted) { meta.push(STRINGS.muted); }
      var article = el("article", {
        class: unread ? "unread" : "read",
        "data-id": String(entry.id),
        tabindex: "0",
        "aria-labelledby": titleId,
        "aria-describedby": metaId,
        "aria-posinset": String(index + 1),
        "aria-setsize": this.nextCursor ? "-1" : String(this.entries.length),
        part: "entry"
      }, [title, el("p", { class: "meta", id: metaId, text: meta.join(" · ") })]);
      var group = this.renderGroup(entry);
      if (group) { article.appendChild(group); }
      if (entry.body) { article.appendChild(el("p", { class: "meta", text: entry.body })); }
      article.appendChild(this.renderActions(entry));
      return article;
    }

    /** A group is unread while any of its notifications is. */
    isUnread(entry) {
      return entry.group ? entry.group.unread_count > 0 : entry.unread;
    }

    isGroup(entry) {
      return !!(entry.group && entry.group.size > 1);
    }

    /** "Show all n": the group's notifications, read from groups/<id>/ when first expanded. */
    renderGroup(entry) {
      if (!this.isGroup(entry)) { return null; }
      var list = el("ul", {}, [el("li", { text: STRINGS.loadingMembers })]), loaded = false, self = this;
      var details = el("details", { part: "group" }, [el("summary", { text: format(STRINGS.members, { n: entry.group.size }) }), list]);
      details.addEventListener("toggle", function () {
        if (!details.open || loaded) { return; }
        loaded = true;
        self.membersOf(entry).then(function (members) {
          list.textContent = "";
          members.forEach(function (member) {
            var link = safeUrl(member.url), label = member.title || (member.actor && member.actor.text) || "";
            list.appendChild(el("li", { class: member.unread ? "unread" : "read" }, [
              link ? el("a", { href: link, text: label }) : document.createTextNode(label)
            ]));
          });
        }).catch(function () {
          loaded = false;
          list.textContent = "";
          list.appendChild(el("li", { class: "error", text: STRINGS.failed }));
        });
      });
      return el("div", { class: "group" }, [details]);
    }

    membersOf(entry) {
      return request(apiBase(this), "GET", "/groups/" + entry.id + "/").then(function (body) { return body.results; });
    }

    /** The ids an action on ``entry`` applies to: all of a group's notifications. */
    idsOf(entry) {
      if (!this.isGroup(entry)) { return Promise.resolve([entry.id]); }
      return this.membersOf(entry).then(function (members) { return members.map(function (member) { return member.id; }); });
    }

    renderActions(entry) {
      var actions = el("div", { class: "actions", role: "group", "aria-label": entry.title }), self = this;
      function button(label, run) {
        var node = el("button", { type: "button", text: label });
        node.addEventListener("click", function () { self.act(run); });
        actions.appendChild(node);
        return node;
      }
      var group = this.isGroup(entry);
      function onEach(path, extra) {
        return function () {
          return self.idsOf(entry).then(function (ids) { return self.post(path, Object.assign({ ids: ids }, extra || {})); });
        };
      }
      if (this.isUnread(entry)) {
        button(STRINGS.markRead, group ? function () { return self.post("/groups/" + entry.id + "/read/"); }
          : onEach("/notifications/read/"));
      } else {
        button(STRINGS.markUnread, onEach("/notifications/unread/"));
      }
      button(STRINGS.archive, group ? function () { return self.post("/groups/" + entry.id + "/archive/"); }
        : onEach("/notifications/archive/"));
      if (this.folder === "snoozed") {
        button(STRINGS.unsnooze, onEach("/notifications/unsnooze/"));
      } else {
        var select = el("select", { "aria-label": STRINGS.snooze + ": " + entry.title, "data-action": "snooze" },
          [el("option", { value: "", text: STRINGS.snoozeFor })]);
        STRINGS.snoozeChoices.forEach(function (choice) {
          select.appendChild(el("option", { value: String(choice[0]), text: choice[1] }));
        });
        select.addEventListener("change", function () {
          if (!select.value) { return; }
          var seconds = parseInt(select.value, 10);
          self.act(onEach("/notifications/snooze/", { seconds: seconds }));
        });
        actions.appendChild(select);
      }
      if (entry.thread) {
        var muted = entry.thread.muted, thing = entry.thread.text;
        var label = (muted ? STRINGS.follow : STRINGS.mute) + (thing ? " “" + thing + "”" : "");
        button(label, function () {
          return self.post("/notifications/" + entry.id + (muted ? "/follow/" : "/mute/"));
        });
      }
      return actions;
    }

    post(path, body) { return request(apiBase(this), "POST", path, body); }

    act(run) {
      var self = this;
      return run().then(function () {
        changed(self);
        return self.load(false);
      }).catch(function () {
        self.status.textContent = STRINGS.failed;
        self.status.hidden = false;
      });
    }

    markAllRead() { return this.act(this.post.bind(this, "/notifications/read-all/", {})); }

    onKey(event) {
      var articles = Array.prototype.slice.call(this.feed.querySelectorAll("article"));
      var current = event.target.closest ? event.target.closest("article") : null;
      var index = articles.indexOf(current), next = null;
      if (event.key === "ArrowDown" || event.key === "PageDown") { next = articles[index + 1]; }
      if (event.key === "ArrowUp" || event.key === "PageUp") { next = articles[index - 1]; }
      if (event.key === "Home" && event.target === current) { next = articles[0]; }
      if (event.key === "End" && event.target === current) { next = articles[articles.length - 1]; }
      if (event.key === "Escape" && this.getAttribute("data-dropdown") !== null) {
        this.close();
        this.dispatchEvent(new CustomEvent("signal-notifier:close", { bubbles: true, composed: true }));
        return;
      }
      if (next) { event.preventDefault(); next.focus(); }
    }
  }

  /* ---------------------------------------------------------------- the badge */

  class SignalNotifierBadge extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.count = null;
      this.timer = null;
      this.refresh = this.refresh.bind(this);
    }

    connectedCallback() {
      var root = this.shadowRoot;
      if (!this.control) {
        root.appendChild(el("style", { text: BADGE_STYLE }));
        var href = this.getAttribute("href");
        this.control = href && !this.getAttribute("controls") ? el("a", { href: href, part: "button" }) : el("button", { type: "button", part: "button" });
        this.control.innerHTML = BELL;
        this.number = el("span", { class: "count", part: "count", hidden: true, "aria-hidden": "true" });
        this.label = el("span", { class: "sr", text: STRINGS.badge });
        this.control.appendChild(this.number);
        this.control.appendChild(this.label);
        this.live = el("span", { class: "sr", role: "status", "aria-live": "polite" });
        root.appendChild(this.control);
        root.appendChild(this.live);
        this.control.addEventListener("click", this.toggle.bind(this));
        document.addEventListener("keydown", this.onKey.bind(this));
        document.addEventListener("signal-notifier:close", this.onClosed.bind(this));
      }
      var panel = this.panel();
      if (panel) {
        this.control.setAttribute("aria-controls", panel.id);
        this.control.setAttribute("aria-expanded", String(!panel.hidden));
        panel.setAttribute("data-dropdown", "");
      }
      document.addEventListener("signal-notifier:changed", this.refresh);
      this.refresh();
      var seconds = Math.max(1, parseFloat(this.getAttribute("poll")) || 30);
      this.timer = window.setInterval(function () { if (!document.hidden) { this.refresh(); } }.bind(this), seconds * 1000);
    }

    disconnectedCallback() {
      document.removeEventListener("signal-notifier:changed", this.refresh);
      window.clearInterval(this.timer);
    }

    panel() {
      var id = this.getAttribute("controls");
      return id ? document.getElementById(id) : null;
    }

    which() { return this.getAttribute("count") === "unread" ? "unread" : "unseen"; }

    refresh() {
      var self = this;
      return request(apiBase(this), "GET", "/notifications/counts/").then(function (counts) {
        self.show(counts[self.which()] || 0);
      }).catch(function () { return null; });
    }

    show(count) {
      if (count === this.count) { return; }
      this.count = count;
      this.setAttribute("data-count", String(count));
      this.number.textContent = count > 99 ? "99+" : String(count);
      this.number.hidden = !count;
      var text = STRINGS.badge + (count ? ", " + format(this.which() === "unread" ? STRINGS.unread : STRINGS.unseen, { n: count }) : "");
      this.label.textContent = text;
      this.live.textContent = count ? format(this.which() === "unread" ? STRINGS.unread : STRINGS.unseen, { n: count }) : "";
    }

    toggle(event) {
      var panel = this.panel();
      if (!panel) { return; }
      event.preventDefault();
      if (panel.hidden) {
        this.control.setAttribute("aria-expanded", "true");
        var opened = typeof panel.open === "function" ? panel.open() : (panel.hidden = false, null);
        var focusFirst = function () {
          var first = panel.shadowRoot && panel.shadowRoot.querySelector("article, button");
          if (first) { first.focus(); }
        };
        if (opened && opened.then) { opened.then(focusFirst); } else { focusFirst(); }
      } else {
        panel.hidden = true;
        this.control.setAttribute("aria-expanded", "false");
      }
    }

    onKey(event) {
      var panel = this.panel();
      if (event.key === "Escape" && panel && !panel.hidden) {
        panel.hidden = true;
        this.onClosed();
      }
    }

    onClosed() {
      if (!this.control || !this.panel()) { return; }
      this.control.setAttribute("aria-expanded", "false");
      this.control.focus();
    }
  }

  window.customElements.define("signal-notifier-inbox", SignalNotifierInbox);
  window.customElements.define("signal-notifier-badge", SignalNotifierBadge);
})();
