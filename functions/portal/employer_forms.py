"""What the employer pages turn forms into and answers into (manual §5 "Registro de rol empleador persona
jurídica" and "Actualizar datos"): the API bodies, the CIIU search, the company's state in words and the steps
a 409 of the confirmation names. No rule of its own: the API validates every value (decision 0080)."""

from __future__ import annotations

import unicodedata
from typing import Any

BASIC_FIELDS = ("nit", "dv", "businessName", "companyType")
DELEGATE_FIELDS = (
    "documentType",
    "documentNumber",
    "firstName",
    "middleName",
    "firstSurname",
    "secondSurname",
    "email",
)
DELEGATE_OPTIONAL = ("middleName", "secondSurname")
HEADQUARTERS_FIELDS = (
    "name",
    "departmentCode",
    "municipalityCode",
    "address",
    "postalCode",
    "phone",
    "email",
    "contributorType",
    "companyType",
    "employees",
    "ciiu",
    "arl",
    "pilaOperators",
)
REQUIRED = "Este dato es obligatorio."
CIIU_LIMIT = 40  # matches listed at most: the page stays small (<150 KB) without JavaScript
# The step each missing step of POST /employers/{nit}/confirmation's 409 is (its id on the company page).
STEP_IDS = {"rut": "paso-rut", "delegate": "paso-delegado", "headquarters": "paso-sede"}
STEP_NAMES = {
    "rut": "Adjunte el RUT y espere la revisión del Ministerio.",
    "delegate": "Registre la información del delegado.",
    "headquarters": "Registre los datos de contacto de la sede principal.",
}


def trimmed(form: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in names}


def missing(values: dict[str, str], names: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    return [name for name in names if name not in optional and not values.get(name)]


def delegate_body(values: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}


def headquarters_values(form: dict[str, str], pila: list[str]) -> dict[str, Any]:
    """The form as typed (for re-rendering), the PILA operators being the checked boxes."""
    values: dict[str, Any] = trimmed(form, tuple(n for n in HEADQUARTERS_FIELDS if n != "pilaOperators"))
    values["pilaOperators"] = pila
    values["ciiuSearch"] = form.get("ciiuSearch", "").strip()[:60]
    return values


def headquarters_body(values: dict[str, Any]) -> dict[str, Any]:
    """The API body: the employees as a number when they are digits (otherwise as typed: the API says why)."""
    body: dict[str, Any] = {name: values.get(name) for name in HEADQUARTERS_FIELDS}
    employees = str(values.get("employees") or "")
    body["employees"] = int(employees) if employees.isdigit() and len(employees) <= 9 else employees
    return body


def from_view(headquarters: dict[str, Any] | None) -> dict[str, Any]:
    """The stored headquarters as form values (Actualizar datos)."""
    values: dict[str, Any] = {name: "" for name in HEADQUARTERS_FIELDS}
    values["pilaOperators"] = []
    for name, value in (headquarters or {}).items():
        if name in HEADQUARTERS_FIELDS:
            values[name] = list(value) if name == "pilaOperators" else str(value)
    values["ciiuSearch"] = ""
    return values


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ciiu_matches(items: list[dict[str, Any]], query: str, chosen: str = "") -> list[dict[str, str]]:
    """The economic activities whose code or name contain every word of `query` (accents and case ignored),
    at most CIIU_LIMIT, plus the chosen one; the DIAN's special codes are not activities a company picks."""
    words = _folded(query).split()
    found: list[dict[str, str]] = []
    hits = 0
    for item in items:
        if item.get("dianSpecial"):
            continue
        code, name = str(item.get("code", "")), str(item.get("name", ""))
        hit = bool(words) and hits < CIIU_LIMIT and all(word in _folded(f"{code} {name}") for word in words)
        hits += hit
        if hit or code == chosen:
            found.append({"code": code, "name": f"{code} – {name}"})
    return found


def state_lines(view: dict[str, Any]) -> list[str]:
    """The company's state in the words a person reads (the RUT's review included)."""
    status = view.get("status")
    rut = view.get("rut") or {}
    rut_status = rut.get("status")
    if status == "REGISTERED":
        return ["Rol empleador persona jurídica registrado."]
    if status == "PENDING_REVIEW":
        return [
            "RUT en revisión: el Ministerio de Salud y Protección Social está revisando el RUT que adjuntó. "
            "Le avisaremos el resultado por correo electrónico."
        ]
    if status == "RUT_REJECTED":
        return [
            f"El Ministerio rechazó el RUT. Motivo: {rut.get('rejection') or 'no indicado'}.",
            "Adjunte de nuevo el RUT.",
        ]
    if status == "RUT_REQUIRED":
        lines = [
            "Los datos que escribió no coinciden con los de nuestras fuentes de referencia: adjunte el RUT como "
            "soporte de la existencia de la empresa y de su representación legal."
        ]
        if rut_status == "AWAITING_UPLOAD" and rut.get("uploadedAt") is None and view.get("rutSent"):
            lines.append("Recibimos su archivo y lo estamos verificando. Actualice la página en unos segundos.")
        elif rut_status in ("FILE_REJECTED", "EXPIRED") and rut.get("rejection"):
            lines.append(f"El archivo no fue aceptado: {rut['rejection']}")
        return lines
    if rut_status == "APPROVED":
        return ["RUT aprobado por el Ministerio. Continúe con el registro."]
    return ["Registro en curso."]


def missing_steps(answer_body: Any) -> list[str]:
    steps = answer_body.get("missingSteps") if isinstance(answer_body, dict) else None
    return [str(step) for step in steps or [] if str(step) in STEP_IDS]
