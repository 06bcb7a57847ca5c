"""Write the HTTP API's reference into docs/api-http.md (and docs/openapi.json) from the OpenAPI document.

Run ``python tools/api_docs.py`` after changing ``django_signal_notifier/api/schema.py``;
``tests/api/test_docs_page.py`` fails while the page is stale. Only the part of the page between
the two GENERATED markers is rewritten: the hand-written guide above it stays.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from django_signal_notifier.api.schema import openapi_document  # noqa: E402
from django_signal_notifier.conf import DEFAULTS  # noqa: E402

PAGE = ROOT / "docs" / "api-http.md"
DOCUMENT = ROOT / "docs" / "openapi.json"
BEGIN = "<!-- BEGIN GENERATED from django_signal_notifier/api/schema.py by tools/api_docs.py: do not edit -->"
END = "<!-- END GENERATED -->"
METHODS = ("get", "post", "patch", "put", "delete")


def document() -> dict[str, Any]:
    """The document with the default settings, so the page does not depend on who generates it."""
    return openapi_document(
        page_size=DEFAULTS["INBOX_PAGE_SIZE"],
        max_page_size=DEFAULTS["INBOX_MAX_PAGE_SIZE"],
        session_cookie="sessionid",
    )


def _type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_type(schema.get('items', {}))}"
    text = " or ".join(kind) if isinstance(kind, list) else kind
    if "format" in schema:
        text += f" ({schema['format']})"
    limits = [f"{word} {schema[key]}" for key, word in (("minimum", "≥"), ("maximum", "≤")) if key in schema]
    if "default" in schema:
        limits.append(f"default {json.dumps(schema['default'])}")
    return text + (f", {', '.join(limits)}" if limits else "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _operation(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    lines = [f"### {method.upper()} `{path}`", "", f"**{operation['summary']}** (`{operation['operationId']}`)."]
    if operation.get("description"):
        lines += ["", operation["description"]]
    if operation.get("security") == []:
        lines += ["", "No authentication needed."]
    if operation.get("parameters"):
        lines += ["", "| parameter | in | type | description |", "|---|---|---|---|"]
        for parameter in operation["parameters"]:
            name = parameter["name"] + (" (required)" if parameter.get("required") else "")
            lines.append(
                f"| `{name}` | {parameter['in']} | {_cell(_type(parameter['schema']))} "
                f"| {_cell(parameter.get('description', ''))} |"
            )
    if "requestBody" in operation:
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        lines += ["", f"Body (JSON): {_type(body)}."]
    lines += ["", "| status | meaning | body |", "|---|---|---|"]
    for status, response in operation["responses"].items():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        lines.append(f"| {status} | {_cell(response['description'])} | {_cell(_type(schema)) if schema else ''} |")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [schema["description"], ""]
    required = set(schema.get("required", ()))
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in schema.get("properties", {}).items():
        lines.append(
            f"| `{field}` | {_cell(_type(spec))} | {'yes' if field in required else 'no'} "
            f"| {_cell(spec.get('description', ''))} |"
        )
    return [*lines, ""]


def render(doc: dict[str, Any]) -> str:
    """The generated part of the page: every operation, then every schema."""
    lines = [
        BEGIN,
        "",
        "## Operations",
        "",
        f"Paths are relative to the server, `{doc['servers'][0]['url']}` when",
        "mounted as shown above.",
        "",
    ]
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                lines += _operation(path, method, item[method])
    lines += ["## Schemas", ""]
    for name, schema in doc["components"]["schemas"].items():
        lines += _schema(name, schema)
    return "\n".join([*lines, END])


def page_text(current: str, doc: dict[str, Any]) -> str:
    """``current`` with its generated part replaced by the one ``doc`` gives."""
    head, found, rest = current.partition(BEGIN)
    if not found:
        raise SystemExit(f"{PAGE} has no {BEGIN!r} marker")
    _old, found, tail = rest.partition(END)
    if not found:
        raise SystemExit(f"{PAGE} has no {END!r} marker")
    return head + render(doc) + tail


def document_text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    doc = document()
    PAGE.write_text(page_text(PAGE.read_text(), doc))
    DOCUMENT.write_text(document_text(doc))
    print(f"wrote {PAGE.relative_to(ROOT)} and {DOCUMENT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
