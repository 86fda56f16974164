"""/mis-roles: "Mi lista de roles" and "Cambiar mi rol" (manual §6 Paso 1). The choice is kept in the session
as the context of the following pages; it is only ever one of the roles the API lists for this person."""

from __future__ import annotations

from typing import Any

from portal.context import Page
from portal.problems import PageError, from_answer
from portal.sign_in import require_signed_in
from portal.web import Response

DESCRIPTIONS = {
    "PERSONA_NATURAL": "Usuario que actúa como persona natural",
    "EMPLEADOR_PERSONA_JURIDICA": "Representante legal de la empresa",
    "DELEGADO": "Persona delegada por el representante legal para realizar transacciones",
    "AUTORIZADO_CCF": "Persona autorizada para administrar los servicios web de la Caja de Compensación Familiar",
    "MINISTERIO": "Funcionario del Ministerio de Salud y Protección Social",
}


def _options(page: Page) -> tuple[list[dict[str, Any]], list[PageError]]:
    answer = page.call("GET", "/me/roles", auth=True)
    if not answer.ok or not isinstance(answer.body, dict):
        return [], from_answer(answer, ())
    options = []
    for role in answer.body.get("roles") or []:
        code, nit = str(role.get("role", "")), role.get("nit")
        company = " · ".join(str(x) for x in (role.get("businessName"), f"NIT {nit}" if nit else None) if x)
        options.append(
            {
                "value": f"{code}:{nit}" if nit else code,
                "name": str(role.get("name") or code),
                "company": company,
                "description": DESCRIPTIONS.get(code, ""),
                "role": code,
                "nit": nit,
            }
        )
    return options, []


def show(page: Page) -> Response:
    if (gone := require_signed_in(page)) is not None:
        return gone
    options, errors = _options(page)
    assert page.session is not None
    return page.render(
        "roles.html", title="Mi lista de roles", options=options, chosen=page.session.data.get("role"), errors=errors
    )


def choose(page: Page) -> Response:
    form = page.request.form()
    page.check_csrf(form)
    if (gone := require_signed_in(page)) is not None:
        return gone
    assert page.session is not None
    options, errors = _options(page)
    chosen = next((o for o in options if o["value"] == form.get("role")), None)
    if chosen is None:
        errors = errors or [PageError("Seleccione el rol con el cual va a realizar la transacción.", "role")]
        return page.render(
            "roles.html", status=400, title="Mi lista de roles", options=options, chosen=None, errors=errors
        )
    label = chosen["name"] + (f" – {chosen['company']}" if chosen["company"] else "")
    page.session.data["role"] = {"value": chosen["value"], "role": chosen["role"], "nit": chosen["nit"], "label": label}
    page.deps.store.save(page.session)
    if chosen["role"] == "MINISTERIO":  # the operator's work starts at the back office (decision 0096)
        return page.redirect("/ministerio")
    return page.redirect("/mis-roles")
