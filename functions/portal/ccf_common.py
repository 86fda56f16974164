"""What the pages of "Administración de servicios web externos" (manual §6) share: the CCF in the path, the
person's chosen role, and what an API refusal means for the person. The API decides who may act on a CCF
(product.md: a person authorized for it; anything else is a 404); the portal only shows its answer."""

from __future__ import annotations

import re
from typing import Any

from portal.api_client import ApiAnswer
from portal.context import Page
from portal.problems import from_answer
from portal.web import Response

NIT = re.compile(r"^\d{9}$")
SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
SHARED_SERVICE_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # ULID, as the API's pattern
NUMERO = re.compile(r"^[0-9]{1,20}$")  # a trámite's numeroTransaccion, as the API's pattern
CCF_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"
TITLE = "Administración de servicios web externos"
NOTICE = "ccf_aviso"  # session.data key of these pages' one-time notice (post/redirect/get)


def base(nit: str) -> str:
    return f"/ccfs/{nit}/servicios"


def ccf_label(page: Page, nit: str) -> str:
    """The chosen role's label when it is this CCF (shown as context); else the NIT alone."""
    role = (page.session.data.get("role") if page.session else None) or {}
    if role.get("nit") == nit and role.get("label"):
        return str(role["label"])
    return f"NIT {nit}"


def keep_notice(page: Page, kind: str, notice: dict[str, Any]) -> None:
    """A notice for the next page of `kind` (post/redirect/get), kept in the session."""
    assert page.session is not None
    page.session.data[NOTICE] = {**notice, "kind": kind}
    page.deps.store.save(page.session)


def take_notice(page: Page, kind: str) -> dict[str, Any] | None:
    """The kept notice if it is for a page of `kind`, removed so that it shows once."""
    if page.session is None:
        return None
    notice = page.session.data.get(NOTICE)
    if not isinstance(notice, dict) or notice.get("kind") != kind:
        return None
    page.session.data.pop(NOTICE, None)
    page.deps.store.save(page.session)
    return notice


def refused(page: Page, nit: str, answer: ApiAnswer) -> Response:
    """An API answer that ends the page: the terms first, sign-in again, or the API's own message."""
    problem: dict[str, Any] = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 403 and problem.get("code") == "TERMS_NOT_ACCEPTED":
        return page.redirect(base(nit))
    if answer.status == 401:
        page.end_session()
        return page.redirect("/ingreso")
    messages = [error.message for error in from_answer(answer, ())]
    title = str(problem.get("title") or "No fue posible completar la solicitud")
    return page.message(
        answer.status if answer.status >= 400 else 502,
        title,
        messages,
        {"href": "/mis-roles", "text": "Ir a Mi lista de roles"} if answer.status in (403, 404) else None,
    )
