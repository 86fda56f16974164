"""Administración de autorizados (manual §5): persons authorized with role CAJA DE SUBSIDIO FAMILIAR and
profile "Autorizado para administrar servicios web externos" for a CCF whose role the Ministry activated."""

from typing import Any

from delegation.common import (
    EMPLOYER_ACCESS,
    Membership,
    display_name,
    entity,
    is_registered,
    iso,
    record,
    send_email,
    verified_person,
)
from delegation.config import Deps
from delegation.models import AuthorizationCreate
from delegation.store import (
    ACTIVE,
    CCF_PROFILE,
    CCF_ROLE,
    EMPLOYER_ROLE,
    REVOKED,
    ROLE_NAMES,
    authorization_key,
    new_ulid,
    role_key,
)
from sat_common import audit, ccf_access
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, not_found
from sat_common.items import decode_page_token, encode_page_token

PERSON_FIELDS = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname", "email")


def _ccf_active(deps: Deps, nit: str) -> bool:
    activation = deps.store.get(ccf_access.activation_key(nit))
    return bool(activation and activation.get("status") == ACTIVE)


def create(deps: Deps, member: Membership, body: AuthorizationCreate, actor: Actor) -> dict[str, Any]:
    """Once per person and CCF: the person's ROLE item is the uniqueness item, written in one transaction
    with the authorization record and condition checks of the CCF activation and of the caller's own grant.
    Of concurrent attempts exactly one commits; the others get 409."""
    nit = member.nit
    if not _ccf_active(deps, nit):
        raise DomainError(code="CCF_ROLE_NOT_ACTIVE", status=409)
    verified_person(deps, body)
    username = f"{body.documentType}-{body.documentNumber}"
    registered = is_registered(deps, username)
    authorization_id = new_ulid()
    now = iso()
    business_name = str(member.employer["businessName"])
    authorization = {
        **authorization_key(nit, authorization_id),
        "authorizationId": authorization_id,
        "nit": nit,
        "username": username,
        **{name: getattr(body, name) for name in PERSON_FIELDS},
        "office": body.office,
        "role": CCF_ROLE,
        "profile": CCF_PROFILE,
        "status": ACTIVE,
        "registered": registered,
        "createdAt": now,
        "createdBy": member.username,
    }
    grant = {
        **role_key(username, CCF_ROLE, nit),
        "role": CCF_ROLE,
        "name": ROLE_NAMES[CCF_ROLE],
        "nit": nit,
        "businessName": business_name,
        "profile": CCF_PROFILE,
        "grantedAt": now,
        "status": ACTIVE,
        "authorizationId": authorization_id,
        "office": body.office,
        # the catalog area finds a CCF's authorized persons through GSI1 (docs/data-model.md)
        "GSI1PK": f"ROLE#{CCF_ROLE}#{nit}",
        "GSI1SK": f"PERSON#{username}",
    }
    tx = deps.store.tx()
    tx.check(
        ccf_access.activation_key(nit), "#status = :active", names={"#status": "status"}, values={":active": ACTIVE}
    )
    tx.check(
        role_key(member.username, EMPLOYER_ROLE, nit),
        "#status IN (:a, :b)",
        names={"#status": "status"},
        values={":a": EMPLOYER_ACCESS[0], ":b": EMPLOYER_ACCESS[1]},
    )
    tx.put(
        grant,
        condition="attribute_not_exists(PK) OR #status = :revoked",
        names={"#status": "status"},
        values={":revoked": REVOKED},
    )
    tx.put(authorization, condition="attribute_not_exists(PK)")
    details = {"authorizationId": authorization_id, "person": username, "registered": registered, "by": member.profile}
    tx.audit(deps.settings.audit_table_name, audit.entry(entity(nit), "AUTHORIZATION_CREATED", actor, details))
    try:
        tx.commit()
    except ConditionFailed:
        raise _why_not(deps, member, username) from None
    queued = send_email(
        deps,
        "authorization-notice",
        body.email,
        {
            "nombre": display_name(body.firstName, body.firstSurname),
            "razonSocial": business_name,
            "nit": nit,
            "rol": "CAJA DE SUBSIDIO FAMILIAR",
            "perfil": "Autorizado para administrar servicios web externos",
            # Not registered yet: the link leads to the registration; the grant works once they sign in.
            "enlace": deps.settings.portal_base_url + ("/ingreso" if registered else "/registro"),
        },
        f"authorization-notice#{authorization_id}",
    )
    if not queued:
        record(deps, nit, "EMAIL_NOT_QUEUED", actor, {"template": "authorization-notice"})
    return view(authorization)


def _why_not(deps: Deps, member: Membership, username: str) -> DomainError:
    existing = deps.store.get(role_key(username, CCF_ROLE, member.nit))
    if existing and existing.get("status") != REVOKED:
        return DomainError(code="ALREADY_AUTHORIZED", status=409)
    if not _ccf_active(deps, member.nit):
        return DomainError(code="CCF_ROLE_NOT_ACTIVE", status=409)
    own = deps.store.get(role_key(member.username, EMPLOYER_ROLE, member.nit))
    if not own or own.get("status") not in EMPLOYER_ACCESS:
        return not_found()
    return DomainError(code="CONCURRENT_UPDATE", status=409)


def view(item: dict[str, Any]) -> dict[str, Any]:
    keys = (*PERSON_FIELDS, "authorizationId", "office", "role", "profile", "status", "createdAt", "revokedAt")
    return {**{key: item.get(key) for key in keys}, "registered": bool(item.get("registered"))}


def listing(deps: Deps, member: Membership, limit: int, next_token: str | None) -> dict[str, Any]:
    start = None
    if next_token is not None:
        start = decode_page_token(
            next_token,
            accept=lambda key: key["PK"] == f"EMPLOYER#{member.nit}" and key["SK"].startswith("AUTH#"),
            message="invalid_next_token",
        )
    items, last = deps.store.page(f"EMPLOYER#{member.nit}", "AUTH#", limit, start)
    return {"items": [view(item) for item in items], "nextToken": encode_page_token(last) if last else None}


def revoke(deps: Deps, member: Membership, authorization_id: str, actor: Actor) -> None:
    """Revocation is effective on the person's next request: the catalog area reads the ROLE item each time."""
    nit = member.nit
    item = deps.store.get(authorization_key(nit, authorization_id))
    if not item or item.get("status") != ACTIVE:
        raise not_found()
    now = iso()
    tx = deps.store.tx()
    tx.update(
        authorization_key(nit, authorization_id),
        "SET #status = :revoked, revokedAt = :now, revokedBy = :by",
        condition="#status = :active",
        names={"#status": "status"},
        values={":revoked": REVOKED, ":now": now, ":by": member.username, ":active": ACTIVE},
    )
    tx.update(
        role_key(str(item["username"]), CCF_ROLE, nit),
        "SET #status = :revoked, revokedAt = :now",
        condition="authorizationId = :id",
        names={"#status": "status"},
        values={":revoked": REVOKED, ":now": now, ":id": authorization_id},
    )
    try:
        tx.commit()
    except ConditionFailed:
        raise not_found() from None
    record(deps, nit, "AUTHORIZATION_REVOKED", actor, {"authorizationId": authorization_id, "person": item["username"]})
