"""The public keys of a shared service (manual §6 "Compartir servicios web con la Entidad", "Llave pública"; decision
0102): the registered keys (at most two), which one the pulls are encrypted to (the newest), a form to add one and
a confirmation page to remove one, so a CCF rotates its key without pausing its notifications.

Adding or removing a key never changes the service's status (decision 0102). Both actions are POST forms answered
with 303 and a one-time notice (post/redirect/get); the API's refusals (a bad PEM, a third key, the same key twice)
come back as the page's error summary linked to the key's field. Times are Colombia's."""

from __future__ import annotations

import re
from typing import Any

from portal.ccf_common import base, ccf_label, keep_notice, refused, take_notice
from portal.context import Page
from portal.ministry_values import colombia_time
from portal.problems import PageError, from_answer
from portal.web import Response

KID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # RFC 7638 thumbprint, SHA-256 base64url: the API's path pattern
FORMATS = {"PUBLIC_KEY": "Llave pública (PEM)", "CERTIFICATE": "Certificado X.509 (PEM)"}
MAX_KEYS = 2  # the API's limit (decision 0102)
REFUSED_IN_FORM = (400, 409, 422, 429)
FIELDS = ("publicKey",)


def path(nit: str, shared_id: str, kid: str = "") -> str:
    return f"{base(nit)}/compartir/{shared_id}/llaves" + (f"/{kid}/quitar" if kid else "")


def _api(nit: str, shared_id: str) -> str:
    return f"/ccfs/{nit}/shared-services/{shared_id}"


def short(kid: str) -> str:
    """Enough of the kid to tell two keys apart; the full value is on the page too."""
    return f"{kid[:8]}…{kid[-4:]}" if len(kid) > 16 else kid


def views(service: dict[str, Any]) -> list[dict[str, Any]]:
    """The API's `publicKeys` (oldest first) as the pages show them, newest first."""
    keys = [key for key in service.get("publicKeys") or [] if isinstance(key, dict)]
    shown = []
    for position, key in enumerate(keys, start=1):
        kid = str(key.get("kid") or "")
        shown.append(
            {
                **key,
                "position": position,
                "kid": kid,
                "kidShort": short(kid),
                "removable": bool(KID.match(kid)),
                "formatName": FORMATS.get(str(key.get("format")), str(key.get("format") or "")),
                "added": colombia_time(key.get("addedAt")),
                "notAfter": colombia_time(key.get("certificateNotAfter")),
            }
        )
    return list(reversed(shown))


def _keep(page: Page, shared_id: str, text: str) -> None:
    keep_notice(page, f"llaves-{shared_id}", {"text": text})


def _pop(page: Page, shared_id: str) -> str | None:
    return str((take_notice(page, f"llaves-{shared_id}") or {}).get("text") or "") or None


# --------------------------------------------------------------------------- the keys and the form to add one
def keys_page(
    page: Page,
    nit: str,
    shared_id: str,
    values: dict[str, str] | None = None,
    errors: list[PageError] | None = None,
    status: int = 200,
) -> Response:
    answer = page.call("GET", _api(nit, shared_id), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    service = answer.body
    keys = views(service)
    return page.render(
        "ccf_keys.html",
        status=status,
        errors=errors or [],
        title=f"Llaves públicas: {service.get('name', '')}",
        ccf=ccf_label(page, nit),
        nit=nit,
        shared_id=shared_id,
        service=service,
        notifies=service.get("purpose") == "NOTIFICACION_TRAMITES",
        keys=keys,
        full=len(keys) >= MAX_KEYS,
        max_keys=MAX_KEYS,
        values=values or {},
        notice=_pop(page, shared_id) if status == 200 else None,
    )


def add(page: Page, nit: str, shared_id: str) -> Response:
    form = page.request.form()
    pem = form.get("publicKey", "").replace("\r\n", "\n").strip()
    if not pem:
        error = PageError("Pegue la llave pública o el certificado en formato PEM.", "publicKey")
        return keys_page(page, nit, shared_id, {}, [error], 400)
    answer = page.call("POST", f"{_api(nit, shared_id)}/keys", {"publicKey": pem}, auth=True)
    if answer.status in REFUSED_IN_FORM:
        return keys_page(page, nit, shared_id, {"publicKey": pem}, from_answer(answer, FIELDS), answer.status)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    kid = short(str(answer.body.get("kid") or ""))
    _keep(page, shared_id, f"La llave {kid} quedó registrada y es la más reciente: desde ahora las consultas "
                           "se cifran con ella. Las notificaciones siguen llegando.")  # fmt: skip
    return page.redirect(path(nit, shared_id))


# --------------------------------------------------------------------------- removing a key, confirmed first
def confirm_remove(
    page: Page, nit: str, shared_id: str, kid: str, errors: list[PageError] | None = None, status: int = 200
) -> Response:
    answer = page.call("GET", _api(nit, shared_id), auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return refused(page, nit, answer)
    keys = views(answer.body)
    key = next((k for k in keys if k["kid"] == kid), None)
    if key is None:
        return page.message(
            404,
            "Llave no encontrada",
            ["El servicio no tiene registrada esa llave pública; puede que ya se haya quitado."],
            {"href": path(nit, shared_id), "text": "Volver a las llaves públicas"},
        )
    return page.render(
        "ccf_key_remove.html",
        status=status,
        errors=errors or [],
        title="Quitar llave pública",
        ccf=ccf_label(page, nit),
        nit=nit,
        shared_id=shared_id,
        service=answer.body,
        key=key,
        only=len(keys) == 1,
        other=next((k for k in keys if k["kid"] != kid), None),
    )


def remove(page: Page, nit: str, shared_id: str, kid: str) -> Response:
    answer = page.call("DELETE", f"{_api(nit, shared_id)}/keys/{kid}", auth=True)
    problem = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 404 and problem.get("code") == "SHARED_SERVICE_KEY_NOT_FOUND":
        # removed meanwhile (a second press, or another authorized person): the outcome the person wanted
        _keep(page, shared_id, f"La llave {short(kid)} ya no estaba registrada.")
        return page.redirect(path(nit, shared_id))
    if answer.status in REFUSED_IN_FORM:
        errors = [PageError(error.message, "quitar") for error in from_answer(answer, ())]
        return confirm_remove(page, nit, shared_id, kid, errors, answer.status)
    if not answer.ok:
        return refused(page, nit, answer)
    _keep(page, shared_id, f"Se quitó la llave {short(kid)}.")
    return page.redirect(path(nit, shared_id))
