""" "Mi perfil" (GET /me) and "Mi lista de roles" (GET /me/roles) of the signed-in person."""

from typing import Any

from registration.config import Deps
from registration.repositories import people, profiles
from sat_common.auth import Caller

PERSONA_NATURAL = {"role": "PERSONA_NATURAL", "name": "Persona natural"}
MINISTERIO = {"role": "MINISTERIO", "name": "Ministerio de Salud y Protección Social"}
PROFILE_FIELDS = (
    "username",
    "documentType",
    "documentNumber",
    "firstName",
    "middleName",
    "firstSurname",
    "secondSurname",
    "email",
    "contact",
    "consents",
)


def profile(deps: Deps, caller: Caller) -> dict[str, Any]:
    item = profiles.get_profile(deps.store, caller.username)
    if not item:  # e.g. a Ministry operator created by an administrator, not by this flow
        document_type, _, document_number = caller.username.partition("-")
        return {
            "username": caller.username,
            "documentType": document_type or None,
            "documentNumber": document_number or None,
            "email": caller.email,
        }
    return {key: item.get(key) for key in PROFILE_FIELDS}


def roles(deps: Deps, caller: Caller) -> dict[str, Any]:
    """ "Mi lista de roles": persona natural always, Ministerio from the Cognito group, and one entry per
    stored role item (PK PERSON#<username>, SK ROLE#<ROLE>[#<NIT>], status ACTIVE) that later areas write:
    EMPLEADOR_PERSONA_JURIDICA and DELEGADO per NIT, AUTORIZADO_CCF per CCF NIT."""
    listed: list[dict[str, Any]] = [dict(PERSONA_NATURAL)]
    for item in people.roles(deps.store, caller.username):
        if item.get("status", "ACTIVE") != "ACTIVE":
            continue
        listed.append(
            {
                "role": item["role"],
                "name": item.get("name") or item["role"],
                "nit": item.get("nit"),
                "businessName": item.get("businessName"),
                "profile": item.get("profile"),
                "since": item.get("grantedAt"),
            }
        )
    if caller.is_ministry:
        listed.append(dict(MINISTERIO))
    return {"username": caller.username, "roles": listed}
