"""Links in the inbox and ``next=`` redirects never lead off-site by a trick (issue 17).

``/\\evil.example/login`` is off-site for a browser (a backslash counts as a slash, tabs and
newlines are dropped); a ``next=`` redirect trusted the request's Host header, which a client
chooses when ``ALLOWED_HOSTS = ['*']``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from django_signal_notifier import notify
from django_signal_notifier.inbox.queries import safe_link
from django_signal_notifier.models import Notification

pytestmark = pytest.mark.django_db

OFF_SITE_IN_DISGUISE = [
    "/\\evil.example/login",
    "\\\\evil.example/login",
    "\\/evil.example",
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "/\\/evil.example",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "https:evil.example",
]


@pytest.mark.parametrize("link", OFF_SITE_IN_DISGUISE)
def test_links_a_browser_would_take_off_site_are_not_kept(link):
    assert safe_link(link) == ""


@pytest.mark.parametrize(
    "link", ["/articles/7/", "articles/7/", "/search/?q=a%5Cb", "https://docs.example.org/page", "?page=2", "#top"]
)
def test_ordinary_links_stay(link):
    assert safe_link(link) == link


def test_the_inbox_stores_and_shows_no_disguised_link(django_capture_on_commit_callbacks):
    ana = get_user_model().objects.create_user("ana", "ana@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        notify("greeted", recipients=[ana], subject="Hi", url="/\\evil.example/login")
    row = Notification.objects.get()
    assert "evil.example" not in row.url
    client = Client()
    client.force_login(ana)
    assert b"evil.example" not in client.get("/inbox/").content
    assert "evil.example" not in str(client.get("/inbox/api/notifications/").json())


def _post_next(client: Client, pk: Any, target: str, host: str) -> Any:
    return client.post(f"/inbox/api/notifications/{pk}/read/", {"next": target}, HTTP_HOST=host)


@override_settings(ALLOWED_HOSTS=["*"], SIGNAL_NOTIFIER={"SITE_URL": "https://example.test"})
def test_next_does_not_trust_the_host_header(django_capture_on_commit_callbacks):
    ana = get_user_model().objects.create_user("ana", "ana@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        notify("greeted", recipients=[ana], subject="Hi")
    pk = Notification.objects.get().pk
    client = Client()
    client.force_login(ana)
    response = _post_next(client, pk, "http://evil.example/phish", host="evil.example")
    assert "evil.example" not in response.get("Location", "")
    assert response.status_code == 200  # JSON answer instead of a redirect
    for target in ("/\\evil.example/", "/\t/evil.example"):
        assert "evil" not in _post_next(client, pk, target, host="example.test").get("Location", "")
    # Same-site targets: a path, the site's own host, a host allowed by ALLOWED_REDIRECT_HOSTS.
    assert _post_next(client, pk, "/inbox/?show=all", host="evil.example")["Location"] == "/inbox/?show=all"
    assert _post_next(client, pk, "https://example.test/inbox/", host="evil.example").status_code == 303


@override_settings(
    ALLOWED_HOSTS=["*"],
    SIGNAL_NOTIFIER={"SITE_URL": "https://example.test", "ALLOWED_REDIRECT_HOSTS": ["app.example.test"]},
)
def test_next_may_lead_to_a_configured_host(django_capture_on_commit_callbacks):
    ana = get_user_model().objects.create_user("ana", "ana@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        notify("greeted", recipients=[ana], subject="Hi")
    client = Client()
    client.force_login(ana)
    pk = Notification.objects.get().pk
    response = _post_next(client, pk, "https://app.example.test/inbox/", host="example.test")
    assert response.status_code == 303 and response["Location"] == "https://app.example.test/inbox/"
