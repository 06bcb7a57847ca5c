"""The ``SIGNAL_NOTIFIER`` settings namespace, with its defaults.

Read a setting as ``app_settings.BATCH_SIZE``; the value is looked up on every access so
``override_settings`` works in tests.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds between two reads of the configuration version stamp by one process: a trigger
    # changed in another process takes effect here within this delay.
    "CONFIG_CHECK_INTERVAL": 5.0,
    # Characters of each rendered text part (subject, text, HTML, URL) stored per recipient row
    # (inbox notifications, delivery content); longer text is cut with a visible marker. None: no cap.
    "MAX_STORED_TEXT": 20_000,
    # Recipients rendered and rows written per bulk insert; bounds memory on large fan-outs.
    "BATCH_SIZE": 500,
    # Recipients per fan-out chunk: each chunk is one task and one transaction (memory stays flat).
    "FANOUT_CHUNK_SIZE": 1000,
    # Seconds an unfinished fan-out may stand still before the sweeper (redrive) resumes it.
    "FANOUT_RESUME_AFTER": 60.0,
    # Deliveries handed to one task (one messenger.send_batch call).
    "DELIVERY_BATCH_SIZE": 100,
    # The Tasks API backend alias and queue used to enqueue deliveries.
    "TASK_BACKEND": "default",
    "TASK_QUEUE": "default",
    # Retries: attempts before a delivery is dead, and the exponential backoff (seconds).
    "MAX_ATTEMPTS": 5,
    "RETRY_BASE_DELAY": 30.0,
    "RETRY_MAX_DELAY": 3600.0,
    # Seconds a worker owns the deliveries it claimed; after that another worker may take them.
    "CLAIM_TIMEOUT": 300.0,
    # Seconds a worker may wait before recording successful sends together (one UPDATE for many).
    # 0 records each at once: only a worker killed between a send and its record re-sends it.
    # Above 0, a killed worker re-sends what it sent in that window: faster, weaker.
    "SENT_FLUSH_SECONDS": 0.0,
    # Dotted path of a callable (user) -> language code; None uses settings.LANGUAGE_CODE.
    "LANGUAGE_GETTER": None,
    # The site's absolute root URL (e.g. "https://example.com"): links in outbound messages are made
    # absolute with it, and it is the base of the one-click unsubscribe links; None leaves both out.
    "SITE_URL": None,
    # Seconds an unsubscribe link keeps working after its message was sent (60 days by default):
    # an older link shows a page saying so, with a link to the preferences page.
    "UNSUBSCRIBE_TOKEN_MAX_AGE": 60 * 24 * 3600,
    # Hosts a ``next=`` redirect may lead to, besides SITE_URL's host (never the request's Host
    # header, which a client chooses).
    "ALLOWED_REDIRECT_HOSTS": [],
    # "app_label.Model" names of sensitive models (sessions, tokens, the admin log, permissions)
    # that triggers may nevertheless use as senders; without it such a trigger never fires.
    "ALLOWED_SENSITIVE_MODELS": [],
    # Dotted paths of extra messenger and message-template classes to register at start-up.
    "MESSENGERS": [],
    "MESSAGE_TEMPLATES": [],
    # In-site inbox: notifications per page of the inbox page and the JSON list (``?page_size=``
    # may ask for up to INBOX_MAX_PAGE_SIZE).
    "INBOX_PAGE_SIZE": 20,
    "INBOX_MAX_PAGE_SIZE": 100,
    # Seconds between two polls of the unread badge (static/django_signal_notifier/badge.js).
    "INBOX_POLL_INTERVAL": 30,
    # Cache alias for per-user unread counts, and how long a value may live (seconds) if rows
    # are changed behind the package's back (a raw update()); the package's own writes
    # invalidate at once.
    "INBOX_CACHE": "default",
    "INBOX_CACHE_TIMEOUT": 300,
    # Link the actor, object and target of listed notifications to their get_absolute_url()
    # (one query per content type on the page); False shows the stored texts only.
    "INBOX_OBJECT_URLS": True,
    # Realtime inbox over Server-Sent Events (see docs/realtime.md). The pub/sub that carries inbox
    # changes to the stream of every ASGI process: "auto" (Redis when REALTIME_REDIS_URL is set, else
    # PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL, else none: pages poll), "postgres",
    # "redis", or None (off).
    "REALTIME_BROKER": "auto",
    "REALTIME_REDIS_URL": None,
    # The LISTEN/NOTIFY channel or Redis pub/sub channel name (letters, digits and underscores).
    "REALTIME_CHANNEL": "dsn_inbox",
    # Seconds between two heartbeats (SSE comments) on an idle stream; proxies close silent ones.
    "REALTIME_HEARTBEAT": 15.0,
    # Notifications replayed at most when a stream resumes with Last-Event-ID; more missed: "reset".
    "REALTIME_REPLAY_LIMIT": 50,
    # Erase what the package holds about a user when the user is deleted (see docs/privacy.md).
    "ERASE_ON_USER_DELETE": True,
    # --- Channels (see docs/channels/). An address source is a field path on the user
    # ("email", "profile__phone"), a dotted path to a callable (user) -> str | None, a callable,
    # or {"model": "app.Profile", "field": "phone", "user_field": "user"}.
    # Seconds an HTTP channel waits for a connection and for each read.
    "HTTP_TIMEOUT": 10.0,
    # Email: the From address (None: DEFAULT_FROM_EMAIL) and where a user's address is found.
    "EMAIL_FROM": None,
    "EMAIL_ADDRESS": "email",
    # Telegram: the bot token from @BotFather, the Bot API root, where a user's chat id is found
    # (by default the user's own telegram_chat_id attribute, else their Profile's, 0.2.1's DSN_Profile).
    "TELEGRAM_BOT_TOKEN": None,
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "TELEGRAM_CHAT_ID": "django_signal_notifier.messengers.telegram.chat_id_of",
    # Slack: a bot token for chat.postMessage, the Web API root, where a user's member id is found
    # (direct messages when a backend names no channel and no webhook).
    "SLACK_BOT_TOKEN": None,
    "SLACK_API_URL": "https://slack.com/api",
    "SLACK_USER_ID": "slack_user_id",
    # Webhooks: the default HMAC-SHA256 signing secret (a backend's "secret" option overrides it).
    "WEBHOOK_SECRET": None,
    # Twilio SMS: account SID, auth token, sender (a number or a Messaging Service SID "MG…"),
    # the REST API root and where a user's phone number (E.164) is found.
    "TWILIO_ACCOUNT_SID": None,
    "TWILIO_AUTH_TOKEN": None,
    "TWILIO_FROM": None,
    "TWILIO_API_URL": "https://api.twilio.com",
    "TWILIO_PHONE_NUMBER": "phone_number",
    # The status callback view's absolute URL (feedback/twilio.py): sent with each message as
    # StatusCallback, and the URL Twilio's signatures are checked against. None: no callbacks.
    "TWILIO_STATUS_CALLBACK_URL": None,
    # Apprise: where a user's own apprise URL(s) are found (None: only the backend's "urls").
    "APPRISE_URL": None,
    # --- Stored templates (docs/templates.md). Render bounds per message: characters per part
    # (subject, text, HTML, URL), tags/variables/loop iterations, and seconds; past one, the
    # delivery is dead with the reason.
    "TEMPLATE_MAX_OUTPUT": 100_000,
    "TEMPLATE_MAX_STEPS": 100_000,
    "TEMPLATE_MAX_SECONDS": 2.0,
    # What a stored template shows of a user other than the recipient (fields or methods; "str" is
    # the user's text). Password, staff and superuser flags, groups, permissions and last login never.
    "USER_PUBLIC_FIELDS": ["username", "first_name", "last_name", "get_full_name", "get_short_name", "str"],
    # Web Push (VAPID, RFC 8292): the application server's private key (`signal_notifier vapid`
    # generates one), the contact it signs with ("mailto:ops@example.org" or an https URL), and the
    # default TTL (seconds a push service keeps an undelivered message) and Urgency.
    "WEBPUSH_VAPID_PRIVATE_KEY": None,
    "WEBPUSH_VAPID_SUBJECT": None,
    "WEBPUSH_TTL": 86400,
    "WEBPUSH_URGENCY": "normal",
    # Which hosts an endpoint may name (messengers/webpush_hosts.py): host names, or ".suffix" for
    # any subdomain; None or ["*"]: any public host. By default the browsers' push services: Chrome,
    # Edge, Opera, Samsung Internet (Firebase Cloud Messaging, and its older GCM host), Firefox
    # (updates.push.services.mozilla.com), legacy Edge (wns2-*.notify.windows.com), Safari.
    "WEBPUSH_ALLOWED_HOSTS": [
        "fcm.googleapis.com",
        "android.googleapis.com",
        ".push.services.mozilla.com",
        ".notify.windows.com",
        "web.push.apple.com",
    ],
    # Tests and development only: endpoints may name IP addresses and hosts resolving to loopback or
    # private addresses (check --deploy warns while it is on).
    "WEBPUSH_ALLOW_PRIVATE_HOSTS": False,
    # Browsers one user may register; a new one past it drops the least recently used.
    "WEBPUSH_MAX_DEVICES": 10,
    # X (Twitter) API v2: the API root; OAuth 1.0a user-context keys (consumer key and secret, the
    # account's access token and secret), or instead an OAuth 2.0 user access token; where a user's
    # handle is found (by default the user's own x_handle attribute, else their Profile's).
    "X_API_URL": "https://api.x.com",
    "X_CONSUMER_KEY": None,
    "X_CONSUMER_SECRET": None,
    "X_ACCESS_TOKEN": None,
    "X_ACCESS_TOKEN_SECRET": None,
    "X_BEARER_TOKEN": None,
    "X_HANDLE": "django_signal_notifier.messengers.x.handle_of",
}


class AppSettings:
    """Attribute access to ``settings.SIGNAL_NOTIFIER`` with package defaults."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown django-signal-notifier setting: {name}")
        user = getattr(settings, "SIGNAL_NOTIFIER", {}) or {}
        return user.get(name, DEFAULTS[name])

    def raw(self) -> dict[str, Any]:
        """The user's namespace as configured (without defaults)."""
        return dict(getattr(settings, "SIGNAL_NOTIFIER", {}) or {})


app_settings = AppSettings()


def channel_setting(prefix: str, name: str, default: Any = None) -> Any:
    """A channel's setting ``SIGNAL_NOTIFIER["<PREFIX>_<NAME>"]`` (as django-anymail's per-ESP settings).

    Falls back to the package's default for a built-in channel's key, then to ``default``.
    Third-party channels declare their keys on the messenger (``Messenger.settings_defaults``),
    which makes them known to the unknown-key check.
    """
    key = f"{prefix}_{name}".upper()
    user = app_settings.raw()
    if key in user:
        return user[key]
    return DEFAULTS.get(key, default)
