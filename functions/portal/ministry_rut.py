"""/ministerio/rut: the RUT review (product.md flow 2, Paso 2: a company whose data does not match the reference
source uploads its RUT and waits for the Ministry's review; docs/backoffice.md "RUT review queue").

The queue is oldest first, as the API gives it. The company's page puts what the company typed next to the
reference source, each difference named in words (not by colour alone), the uploaded PDF inline (a presigned
GET of at most 5 minutes: the RUT bucket's origin joins `frame-src` for that response only) with a plain link to
open it, and "Aprobar" / "Rechazar" (a reason is required to reject). The decision answers 303 with a one-time
notice; a second submit is the API's 409 `RUT_NOT_IN_REVIEW`, shown in the error summary (decision 0096)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from portal import ministry_common
from portal.context import Page
from portal.ministry_values import NIT, colombia_time, keep_notice, pop_notice
from portal.problems import PageError, from_answer
from portal.web import Response
from sat_common.colombian_time import colombian_clock
from sat_common.operator_groups import REVIEWER

BASE = "/ministerio/rut"
TITLE = "Revisión de RUT"
PAGE_SIZE = 25
TRAIL = "ministerio_rut_paginas"
REASON_MIN, REASON_MAX = 3, 500  # the API's bounds for a rejection's reason
_NIT_IN_PATH = re.compile(r"^/ministerio/rut/([0-9]{9})(?:/decision)?$")

STATUSES = {
    "DRAFT": "En registro",
    "RUT_REQUIRED": "Debe adjuntar el RUT",
    "PENDING_REVIEW": "RUT en revisión",
    "RUT_REJECTED": "RUT rechazado",
    "REGISTERED": "Registrada",
}
FIELDS = {
    "businessName": "Razón social",
    "dv": "Dígito de verificación (DV)",
    "companyType": "Tipo de sociedad",
    "legalRepresentative": "Representante legal (documento)",
}


def _nit(page: Page) -> str:
    found = _NIT_IN_PATH.match(page.request.path.rstrip("/"))
    assert found is not None  # the route's pattern matched it
    return found.group(1)


# --- the queue -----------------------------------------------------------------------------------------------
def queue_row(item: dict[str, Any]) -> dict[str, Any]:
    nit = str(item.get("nit") or "")
    return {
        "nit": nit,
        "dv": str(item.get("dv") or ""),
        "businessName": str(item.get("businessName") or ""),
        "since": colombia_time(item.get("since")),
        "waiting": ministry_common.waiting_words(item.get("waitingSeconds")),
        "matches": bool(item.get("referenceMatch")),
        "linked": bool(NIT.match(nit)),
    }


def show_queue(page: Page) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    token, previous = ministry_common.page_trail(page, TRAIL, BASE)
    query = f"status=PENDING_REVIEW&limit={PAGE_SIZE}" + (f"&pageToken={token}" if token else "")
    answer = page.call("GET", f"/admin/employers?{query}", auth=True)
    if answer.status == 422 and token:  # a token from an older list: start again from the first page
        return page.redirect(BASE)
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    items = [queue_row(i) for i in answer.body.get("items") or [] if isinstance(i, dict)]
    return page.render(
        "ministry_rut_queue.html",
        title=TITLE,
        items=items,
        previous_href=previous,
        next_href=ministry_common.next_href(BASE, answer.body.get("nextPageToken")),
        first_page=not token,
    )


# --- one company ---------------------------------------------------------------------------------------------
def comparison_rows(company: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in company.get("comparison") or []:
        if not isinstance(row, dict):
            continue
        name = str(row.get("field") or "")
        rows.append(
            {
                "label": FIELDS.get(name, name),
                "typed": "" if row.get("typed") is None else str(row["typed"]),
                "reference": "" if row.get("reference") is None else str(row["reference"]),
                "matches": bool(row.get("matches")),
            }
        )
    return rows


def differences_text(rows: list[dict[str, Any]], found: bool) -> str:
    """The differences in words, so they are not told by the highlight alone (WCAG 1.4.1)."""
    if not found:
        return "La fuente de referencia no tiene datos de este NIT: ningún dato se pudo confirmar."
    differing = [row["label"] for row in rows if not row["matches"]]
    if not differing:
        return "Todos los datos coinciden con la fuente de referencia."
    if len(differing) == 1:
        return f"Hay 1 diferencia con la fuente de referencia: {differing[0]}."
    return f"Hay {len(differing)} diferencias con la fuente de referencia: {', '.join(differing)}."


def rut_view(page: Page, nit: str, company: dict[str, Any]) -> dict[str, Any]:
    """The PDF to show: a presigned GET (audited RUT_VIEWED by the API), or why there is none."""
    rut = company.get("rut") if isinstance(company.get("rut"), dict) else None
    if not rut or not rut.get("viewable"):
        return {"url": None, "note": "La empresa no tiene un RUT adjunto que se pueda ver."}
    answer = page.call("GET", f"/admin/employers/{nit}/rut", auth=True)
    if answer.status == 403:
        return {"url": None, "note": "Sus grupos de operador no permiten ver el archivo del RUT."}
    if not answer.ok or not isinstance(answer.body, dict):
        return {"url": None, "note": " ".join(e.message for e in from_answer(answer, ()))}
    url = str(answer.body.get("url") or "")
    target = urlsplit(url)
    if target.scheme not in ("https", "http") or not target.netloc:
        return {"url": None, "note": "El archivo del RUT no está disponible en este momento."}
    return {
        "url": url,
        "origin": f"{target.scheme}://{target.netloc}",
        "expires": colombian_clock(answer.body.get("expiresAt")),  # the time of day
        "sizeKb": max(1, round(int(answer.body.get("sizeBytes") or 0) / 1024)),
    }


def show_company(
    page: Page, errors: list[PageError] | None = None, status: int = 200, values: dict[str, str] | None = None
) -> Response:
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit = _nit(page)
    answer = page.call("GET", f"/admin/employers/{nit}", auth=True)
    if answer.status == 404:
        return page.message(
            404,
            "Empresa no encontrada",
            ["No hay una empresa registrada con ese NIT."],
            {"href": BASE, "text": "Volver a Revisión de RUT"},
        )
    if not answer.ok or not isinstance(answer.body, dict):
        return ministry_common.refused(page, answer)
    company = answer.body
    rows = comparison_rows(company)
    reference: dict[str, Any] = company["reference"] if isinstance(company.get("reference"), dict) else {}
    rut = rut_view(page, nit, company)
    name = str(company.get("businessName") or f"NIT {nit}")
    response = page.render(
        "ministry_rut.html",
        status=status,
        errors=errors or [],
        title=name,
        nit=nit,
        company=company,
        statusName=STATUSES.get(str(company.get("status")), str(company.get("status") or "")),
        since=colombia_time(company.get("since")),
        rows=rows,
        differences=differences_text(rows, bool(reference.get("found"))),
        rut=rut,
        reviewable=company.get("status") == "PENDING_REVIEW",
        decides=ministry_common.acts(page, REVIEWER),
        values=values or {},
        notice=pop_notice(page, "rut-"),
    )
    if rut.get("origin"):  # the inline PDF: its origin joins frame-src for this response only
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = f"{policy}; frame-src {rut['origin']}"
    return response


def submit_decision(page: Page) -> Response:
    """ "Aprobar" or "Rechazar" (with its reason): one POST, then a 303 to the company's page."""
    form = page.request.form()
    page.check_csrf(form)
    if (gone := ministry_common.require_operator(page)) is not None:
        return gone
    nit = _nit(page)
    values = {"decision": form.get("decision", ""), "reason": form.get("reason", "").strip()}
    errors = decision_errors(values)
    if errors:
        return show_company(page, errors, 400, values)
    body = {"decision": values["decision"]}
    if values["decision"] == "REJECT":
        body["reason"] = values["reason"]
    answer = page.call("POST", f"/admin/employers/{nit}/rut-review", body, auth=True)
    if answer.status in (401, 403):
        return ministry_common.refused(page, answer)
    if not answer.ok:
        return show_company(page, from_answer(answer, ("decision", "reason")), max(answer.status, 400), values)
    keep_notice(page, {"kind": "rut-aprobado" if values["decision"] == "APPROVE" else "rut-rechazado"})
    return page.redirect(f"{BASE}/{nit}")


def decision_errors(values: dict[str, str]) -> list[PageError]:
    if values["decision"] not in ("APPROVE", "REJECT"):
        return [PageError("Seleccione si aprueba o rechaza el RUT.", "decision")]
    if values["decision"] == "REJECT" and not REASON_MIN <= len(values["reason"]) <= REASON_MAX:
        return [PageError("Escriba el motivo del rechazo (entre 3 y 500 caracteres): la empresa lo verá.", "reason")]
    return []
