"""/ministerio: the back office's home (decision 0096): how many items wait in each queue, each linking to its
page. The counts come from the list routes themselves, one page of at most LIMIT items each (no count route, no
Scan): beyond it the page says "100 o más". Only the queues of the sections the operator's groups use are asked
for; the API still decides (a 403 shows "Sin acceso")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import ministry_common
from portal.api_client import ApiAnswer
from portal.context import Page
from portal.web import Response

LIMIT = 100  # the lists' largest page (docs/backoffice.md)


@dataclass(frozen=True)
class Queue:
    key: str
    section: str  # the Section.href whose groups use it
    label: str
    api_path: str
    href: str


QUEUES: tuple[Queue, ...] = (
    Queue(
        "rut",
        "/ministerio/rut",
        "RUT pendientes de revisión",
        f"/admin/employers?status=PENDING_REVIEW&limit={LIMIT}",
        "/ministerio/rut",
    ),
    Queue(
        "fallidas",
        "/ministerio/tramites",
        "Trámites fallidos",
        f"/admin/tramites?state=FALLIDA&limit={LIMIT}",
        "/ministerio/tramites?state=FALLIDA",
    ),
    Queue(
        "pendientes",
        "/ministerio/tramites",
        "Trámites pendientes (sin acuse de la CCF)",
        f"/admin/tramites?state=PENDIENTE&limit={LIMIT}",
        "/ministerio/tramites?state=PENDIENTE",
    ),
    Queue(
        "suspendidas", "/ministerio/ccfs", "Cajas (CCF) suspendidas", f"/admin/ccfs?limit={LIMIT}", "/ministerio/ccfs"
    ),
)


def count_of(queue: Queue, body: Any) -> dict[str, Any]:
    """The card of one queue from its list page: the count, whether there are more, the oldest wait."""
    items = [i for i in (body.get("items") or []) if isinstance(i, dict)] if isinstance(body, dict) else []
    more = bool(body.get("nextPageToken") or body.get("nextToken")) if isinstance(body, dict) else False
    if queue.key == "suspendidas":
        items = [i for i in items if i.get("status") == "SUSPENDED"]
    count = len(items)
    card: dict[str, Any] = {
        "label": queue.label,
        "href": queue.href,
        "count": f"{count} o más" if more else str(count),
        "available": True,
        "oldest": "",
    }
    if queue.key == "rut" and items:
        card["oldest"] = ministry_common.waiting_words(items[0].get("waitingSeconds"))  # the list is oldest first
    return card


def show(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    groups = ministry_common.operator_groups(page)
    if not groups and (refusal := _not_an_operator(page)) is not None:
        return refusal
    usable = {section.href for section in ministry_common.sections_for(groups)}
    cards = []
    for queue in QUEUES:
        if queue.section not in usable:
            continue
        answer = page.call("GET", queue.api_path, auth=True)
        if answer.status == 401 or (isinstance(answer.body, dict) and answer.body.get("code") == "MFA_REQUIRED"):
            return ministry_common.refused(page, answer)
        if answer.ok:
            cards.append(count_of(queue, answer.body))
        else:
            unavailable = "Sin acceso" if answer.status == 403 else "No disponible en este momento"
            cards.append({"label": queue.label, "href": queue.href, "count": unavailable, "available": False})
    return page.render("ministry_home.html", title="Inicio del Ministerio", cards=cards, groups=sorted(groups))


def _not_an_operator(page: Page) -> Response | None:
    """A session whose token names no operator group: "Mi lista de roles" (GET /me/roles) is the API's word on
    whether the person holds the Ministry role (a group given since the token was issued), else a 403 page."""
    answer = page.call("GET", "/me/roles", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    if any(isinstance(r, dict) and r.get("role") == ministry_common.ROLE for r in answer.body.get("roles") or []):
        return None
    return ministry_common.refused(page, ApiAnswer(403, {"code": "FORBIDDEN"}))
