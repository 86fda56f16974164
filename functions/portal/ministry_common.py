"""The frame of the Ministry's back office (`/ministerio/...`, decision 0096): the sections and who uses them, the
operator's groups for the navigation, and what an API refusal means on these pages.

The portal decides no access (decision 0080): the API checks the operator's groups live on every /admin route
(decision 0029) and its 403 is what the page shows. The groups read here come from the session's ID token and
only choose which sections the navigation offers; a stale token at worst shows a link the API then refuses.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from portal.api_client import ApiAnswer
from portal.context import Page
from portal.problems import from_answer
from portal.sign_in import require_signed_in
from portal.web import Response
from sat_common.operator_groups import ADMINISTRATOR, AUDITOR, CATALOG, EXCHANGE, OPERATOR_GROUPS, REVIEWER

HOME = "/ministerio"
TITLE = "Ministerio"
ROLE = "MINISTERIO"  # the role "Mi lista de roles" lists for an operator (GET /me/roles)


@dataclass(frozen=True)
class Section:
    href: str
    label: str
    groups: frozenset[str]  # besides ADMINISTRATOR, who is admitted everywhere (infra/api_routes.py `admits`)


# The back office's navigation, in the order operators work: each section's groups are the ones its API routes
# admit (docs/backoffice.md); the auditor reads every queue but acts on none.
SECTIONS: tuple[Section, ...] = (
    Section(HOME, "Inicio", OPERATOR_GROUPS),
    Section("/ministerio/rut", "Revisión de RUT", frozenset({REVIEWER, AUDITOR})),
    Section("/ministerio/ccfs", "Cajas (CCF)", frozenset({CATALOG, AUDITOR})),
    Section("/ministerio/servicios", "Catálogo de servicios", frozenset({CATALOG, AUDITOR})),
    Section("/ministerio/tramites", "Trámites", frozenset({EXCHANGE, AUDITOR})),
    Section("/ministerio/auditoria", "Auditoría", frozenset({AUDITOR})),
    Section("/ministerio/operadores", "Operadores", frozenset()),
    Section("/ministerio/mesa-de-ayuda", "Mesa de ayuda", frozenset()),
)


def operator_groups(page: Page) -> frozenset[str]:
    """The operator groups named in the session's ID token (`cognito:groups`), for the navigation only."""
    token = page.session.secrets.get("id_token", "") if page.session else ""
    parts = token.split(".")
    if len(parts) != 3:
        return frozenset()
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return frozenset()
    raw = claims.get("cognito:groups") if isinstance(claims, dict) else None
    names = raw if isinstance(raw, list) else str(raw or "").strip("[]").replace(",", " ").split()
    return frozenset(str(name) for name in names) & OPERATOR_GROUPS


def can_use(groups: frozenset[str], section: Section) -> bool:
    return ADMINISTRATOR in groups or bool(groups & section.groups)


def acts(page: Page, *groups: str) -> bool:
    """Whether to offer a section's actions (forms) to this operator: `ministerio` or one of `groups` (the route's
    `admits`). Presentation only: the auditor reads without buttons it cannot use; the API still decides."""
    held = operator_groups(page)
    return ADMINISTRATOR in held or bool(held & set(groups))


def sections_for(groups: frozenset[str]) -> list[Section]:
    return [section for section in SECTIONS if can_use(groups, section)]


def current_section(path: str) -> Section:
    """The section a path belongs to: the longest prefix (`/ministerio` itself is Inicio)."""
    path = path.rstrip("/") or "/"
    found = [s for s in SECTIONS[1:] if path == s.href or path.startswith(s.href + "/")]
    return found[0] if found else SECTIONS[0]


def breadcrumbs(path: str, title: str | None, extra: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """Ministerio › section › (extra links) › this page; the last one without a link (it is where one is)."""
    crumbs = [{"href": HOME, "text": TITLE}]
    section = current_section(path)
    if section.href != HOME:
        crumbs.append({"href": section.href, "text": section.label})
    crumbs.extend(extra or [])
    if title and crumbs[-1]["text"] != title and (path.rstrip("/") or "/") != crumbs[-1]["href"]:
        crumbs.append({"href": "", "text": title})
    crumbs[-1] = {**crumbs[-1], "href": ""}
    return crumbs


def require_operator(page: Page) -> Response | None:
    """None when the page may go on (signed in; the navigation is set up for ministry_base.html); else where to
    send the browser. Whether the person is an operator of the right group is the API's answer."""
    if (gone := require_signed_in(page)) is not None:
        return gone
    groups = operator_groups(page)
    path = page.request.path.rstrip("/") or "/"
    page.layout.update(
        ministry_sections=sections_for(groups),
        ministry_current=current_section(path).href,
        ministry_path=path,
        ministry_breadcrumbs=breadcrumbs,
    )
    return None


def refused(page: Page, answer: ApiAnswer) -> Response:
    """An API answer that ends a back-office page: sign in again (401), TOTP still to enrol, no permission for
    this section (403, with the API's message), not found (404), or the API's own message."""
    problem: dict[str, Any] = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 401:
        page.end_session()
        return page.redirect("/ingreso")
    home = {"href": HOME, "text": "Ir al inicio del Ministerio"}
    if answer.status == 403 and problem.get("code") == "MFA_REQUIRED":
        return page.message(
            403,
            "Active la verificación en dos pasos",
            ["Los funcionarios del Ministerio deben activar la verificación en dos pasos antes de usar esta sección."],
            {"href": "/mis-roles", "text": "Ir a Mi lista de roles"},
        )
    if answer.status == 403:
        return page.message(
            403,
            "No tiene permiso para esta sección",
            [
                "Sus grupos de operador del Ministerio no incluyen esta sección.",
                "Si la necesita, pídala a un administrador del Ministerio.",
            ],
            home,
        )
    messages = [error.message for error in from_answer(answer, ())]
    title = str(problem.get("title") or "No fue posible completar la solicitud")
    return page.message(answer.status if answer.status >= 400 else 502, title, messages, home)


def waiting_words(seconds: Any) -> str:
    """A waiting time as an operator says it: "2 días y 3 horas", "45 minutos", "menos de un minuto"."""
    try:
        total = max(int(seconds), 0)
    except (TypeError, ValueError):
        return ""
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    units = [(days, "día", "días"), (hours, "hora", "horas"), (minutes, "minuto", "minutos")]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in units if n][:2]
    if not parts:
        return "menos de un minuto"
    return " y ".join(parts)


PAGE_TOKEN = re.compile(r"^[A-Za-z0-9_=.-]{1,2048}$")  # the API's page tokens (base64url, maybe signed)
MAX_PAGES_KEPT = 50


def page_trail(page: Page, key: str, base: str) -> tuple[str, str | None]:
    """ "Anterior" for a list paginated forward only by the API's page tokens: the tokens of the pages this session
    walked through are kept server-side (session.data[key]); the URL carries only the current page's token (no
    personal data, and the API refuses one altered, 422). Returns (the token to ask for, the previous page's href)."""
    token = page.request.query.get("pagina", "")
    token = token if PAGE_TOKEN.match(token) else ""
    assert page.session is not None  # require_operator passed
    trail = [str(t) for t in page.session.data.get(key) or [""] if isinstance(t, str)] or [""]
    if token in trail:
        trail = trail[: trail.index(token) + 1]
    elif token:
        trail = [*trail, token][-MAX_PAGES_KEPT:]
    else:
        trail = [""]
    if page.session.data.get(key) != trail:
        page.session.data[key] = trail
        page.deps.store.save(page.session)
    previous = None
    if len(trail) > 1:
        previous = base if not trail[-2] else f"{base}?{urlencode({'pagina': trail[-2]})}"
    return token, previous


def next_href(base: str, token: Any) -> str | None:
    return f"{base}?{urlencode({'pagina': str(token)})}" if token else None
