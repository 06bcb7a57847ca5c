"""SITE_URL makes a site's paths absolute for messages read elsewhere, and the inbox keeps paths."""

from __future__ import annotations

import pytest
from django.test import override_settings

from django_signal_notifier.rendering.links import absolute_url, site_path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/articles/7/", "https://example.com/app/articles/7/"),
        ("articles/7/", "https://example.com/app/articles/7/"),
        ("https://other.example/x", "https://other.example/x"),
        ("//cdn.example/x", "//cdn.example/x"),
        ("mailto:a@example.com", "mailto:a@example.com"),
        ("", ""),
    ],
)
@override_settings(SIGNAL_NOTIFIER={"SITE_URL": "https://example.com/app/"})
def test_absolute_url_joins_paths_of_the_site_only(url: str, expected: str) -> None:
    assert absolute_url(url) == expected


def test_without_site_url_nothing_changes() -> None:
    assert absolute_url("/articles/7/") == "/articles/7/"
    assert site_path("https://example.com/articles/7/") == "https://example.com/articles/7/"


@override_settings(SIGNAL_NOTIFIER={"SITE_URL": "https://example.com"})
def test_site_path_turns_the_sites_own_links_back_into_paths() -> None:
    assert site_path("https://example.com/articles/7/") == "/articles/7/"
    assert site_path("https://example.com") == "/"
    assert site_path("https://example.com.evil.test/x") == "https://example.com.evil.test/x"
    assert site_path("https://other.example/x") == "https://other.example/x"
