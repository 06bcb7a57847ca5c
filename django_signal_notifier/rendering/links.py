"""Absolute links for messages read outside the site: ``SITE_URL`` joined to the site's own paths.

An email, a Slack message or an SMS is read in another program, where ``/articles/7/`` leads
nowhere. A path of the site (``/articles/7/``, ``articles/7/``) is appended to ``SITE_URL``, as
the unsubscribe links are (``SITE_URL`` is the site's root, a path prefix included); a link with
a scheme or a host, and anything when ``SITE_URL`` is not set, is returned unchanged.

The in-site inbox is read on the site itself, under whatever host the reader used: its links go
the other way (:func:`site_path`), so ``localhost`` and ``127.0.0.1`` keep their own sessions.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django_signal_notifier.conf import app_settings


def site_url() -> str:
    """``SITE_URL`` without its trailing slash ("" when it is not set)."""
    base = app_settings.SITE_URL
    return str(base).rstrip("/") if isinstance(base, str) and base else ""


def absolute_url(url: str) -> str:
    """``url`` made absolute against ``SITE_URL`` when it is a path of this site."""
    url = (url or "").strip()
    base = site_url()
    if not url or not base:
        return url
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:  # https://…, mailto:…, //cdn…: not ours to change
        return url
    return base + (url if url.startswith("/") else "/" + url)


def site_path(url: str) -> str:
    """``url`` as a path of the site when it starts with ``SITE_URL`` (for links read on the site)."""
    url = (url or "").strip()
    base = site_url()
    if base and url.startswith(base) and url[len(base) : len(base) + 1] in ("", "/", "?", "#"):
        path = url[len(base) :]
        return path if path.startswith("/") else "/" + path
    return url
