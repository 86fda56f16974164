"""The terms of use and privacy policy of manual §6 Paso 3: "Acepto" or decline. Declining blocks the
functionality (the API answers 403 TERMS_NOT_ACCEPTED until the person accepts); the API keeps each decision as
evidence with the person's address and browser (the portal forwards them, decision 0080)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portal.ccf_common import TITLE, base, ccf_label, refused
from portal.context import Page
from portal.problems import from_answer
from portal.web import Response

DECISIONS = ("ACCEPT", "DECLINE")
_ITEM = re.compile(r"^(\d+)\.\s+(.*)$")
_VERSION = re.compile(r"^[0-9A-Za-z.-]{1,20}$")


@dataclass
class Block:
    kind: str  # "h" (a heading), "p" or "ol"
    text: str = ""
    items: list[str] = field(default_factory=list)


def blocks(markdown: str) -> list[Block]:
    """The terms' text (headings, paragraphs, numbered lists) as blocks the template escapes: no HTML from the
    API reaches the page. The document's own title is the page's heading, so its "# " line is skipped."""
    out: list[Block] = []
    for chunk in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("# "):
            continue
        if lines[0].startswith("#"):
            out.append(Block("h", lines[0].lstrip("#").strip()))
            lines = lines[1:]
            if not lines:
                continue
        if _ITEM.match(lines[0]):
            items: list[str] = []
            for line in lines:
                match = _ITEM.match(line)
                if match:
                    items.append(match.group(2))
                elif items:
                    items[-1] += " " + line
            out.append(Block("ol", items=items))
        else:
            out.append(Block("p", " ".join(lines)))
    return out


def show(page: Page, nit: str, terms: dict[str, Any], status: int = 200, errors: list[Any] | None = None) -> Response:
    return page.render(
        "ccf_terms.html",
        status=status,
        title=str(terms.get("title") or "Condiciones de uso y política de privacidad"),
        functionality=TITLE,
        ccf=ccf_label(page, nit),
        nit=nit,
        version=str(terms.get("version") or ""),
        blocks=blocks(str(terms.get("text") or "")),
        declined=terms.get("decision") == "DECLINE",
        errors=errors or [],
    )


def decide(page: Page, nit: str) -> Response:
    form = page.request.form()
    decision, version = form.get("decision", ""), form.get("version", "")
    if decision not in DECISIONS or not _VERSION.match(version):
        return page.redirect(base(nit))
    answer = page.call("POST", f"/ccfs/{nit}/terms", {"version": version, "decision": decision}, auth=True)
    if answer.status == 409:  # the terms changed while the person read them: the new text, with the API's message
        current = page.call("GET", f"/ccfs/{nit}/terms", auth=True)
        if current.ok and isinstance(current.body, dict):
            return show(page, nit, current.body, 409, from_answer(answer, ("decision",)))
    if not answer.ok:
        return refused(page, nit, answer)
    if decision == "ACCEPT":
        return page.redirect(base(nit))
    return blocked(page, nit)


def blocked(page: Page, nit: str) -> Response:
    return page.message(
        200,
        "No puede usar la funcionalidad",
        [
            "Usted no aceptó las condiciones de uso y la política de privacidad. Sin aceptarlas no es posible usar "
            "la funcionalidad de Administración de servicios web externos (manual MN82, §6 Paso 3).",
            "Si cambia de opinión, puede leerlas de nuevo y oprimir “Acepto”.",
        ],
        {"href": base(nit), "text": "Leer de nuevo las condiciones"},
    )
