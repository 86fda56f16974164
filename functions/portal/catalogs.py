"""The API's reference catalogs (GET /catalogs/{catalog}) as the options of a page's select fields."""

from __future__ import annotations

from typing import Any

from portal.context import Page


def items(page: Page, name: str, query: str = "") -> list[dict[str, Any]]:
    """The catalog's entries as the API gives them; none when the API cannot answer (the form still renders)."""
    answer = page.call("GET", f"/catalogs/{name}{query}")
    found = answer.body.get("items", []) if answer.ok and isinstance(answer.body, dict) else []
    return [item for item in found if isinstance(item, dict)]


def options(page: Page, name: str, query: str = "") -> list[dict[str, str]]:
    return [{"code": str(i.get("code")), "name": str(i.get("name"))} for i in items(page, name, query)]


def person_document_types(page: Page) -> list[dict[str, str]]:
    """Document types a person can hold (not the NIT of a company)."""
    return [
        {"code": str(i.get("code")), "name": str(i.get("name"))}
        for i in items(page, "document-types")
        if i.get("appliesTo", "person") == "person"
    ]
