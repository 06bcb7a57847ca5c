"""The OpenAPI document is valid OpenAPI 3.1, and the docs' API page is generated from it (never stale)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from django_signal_notifier.api.schema import openapi_document
from tests.api.conftest import API

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "tools" / "api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_document_is_valid_openapi_3_1() -> None:
    document = openapi_document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_validator_would_catch_a_broken_document() -> None:
    broken = openapi_document()
    broken["paths"]["/notifications/"]["get"]["parameters"][0]["in"] = "body"  # OpenAPI 2's, not 3's
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


@pytest.mark.django_db
def test_the_served_document_is_the_one_in_the_package(settings: Any) -> None:
    served = Client().get(f"{API}/openapi.json").json()
    validate(served)
    assert served == openapi_document(server_url="http://testserver/inbox/api/v1")


def test_every_view_of_the_api_is_in_the_document_and_the_reverse() -> None:
    resolver = get_resolver()
    mounted = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "django_signal_notifier_api")
    routes = {
        "/" + str(p.pattern).removeprefix("v1/").replace("<str:pk>", "{id}")
        for p in mounted.url_patterns
        if isinstance(p, URLPattern)
    }
    assert routes == set(openapi_document()["paths"])


def test_the_docs_page_and_the_published_document_are_current() -> None:
    generator = _generator()
    document = generator.document()
    page = generator.PAGE.read_text()
    assert page == generator.page_text(page, document), "docs/api-http.md is stale: run python tools/api_docs.py"
    assert json.loads(generator.DOCUMENT.read_text()) == document, (
        "docs/openapi.json is stale: run python tools/api_docs.py"
    )


def test_a_change_to_the_document_makes_the_page_stale() -> None:
    generator = _generator()
    document = generator.document()
    document["paths"]["/notifications/"]["get"]["summary"] = "Something else"
    page = generator.PAGE.read_text()
    assert generator.page_text(page, document) != page
