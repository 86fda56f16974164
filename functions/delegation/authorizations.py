"""Administración de autorizados (manual §5): persons authorized with role CAJA DE SUBSIDIO FAMILIAR and
profile "Autorizado para administrar servicios web externos" for a CCF whose role the Ministry activated."""

from typing import Any

from delegation.common import (
    Membership,
    display_name,
    entity,
    is_registered,
    iso,
    record,
    reference_business_name,
    send_email,
    verified_person,
)
from delegation.config import Deps
from delegation.models import AuthorizationCreate
from delegation.repository import (
    ACTIVE,
    CCF_PROFILE,
    CCF_ROLE,
    EMPLOYER_ACCESS,
    REVOKED,
    ROLE_NAMES,
    authorization_key,
    ccf_grant_index,
    is_authorization_key,
    role_key,
)
from sat_common import audit, ccf_person_access
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, not_found
from sat_common.ids import new_ulid
from sat_common.items import decode_page_token, encode_page_token
from sat_common.observability import logger

PERSON_FIELDS = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname", "email")


def _ccf_active(deps: Deps, nit: str) -> bool:
    activation = deps.repository.ccf_activation(nit)
    return bool(activation and activation.get("status") == ACTIVE)


def create(deps: Deps, member: Membership, body: AuthorizationCreate, actor: Actor) -> dict[str, Any]:
    """Once per person and CCF: the person's ROLE item is the uniqueness item, written in one transaction
    with the authorization record and condition checks of the CCF activation and of the caller's own grant.
    Of concurrent attempts exactly one commits; the others get 409."""
    nit = member.nit
    if not _ccf_active(deps, nit):
        raise DomainError(code="CCF_ROLE_NOT_ACTIVE", status=409)
    person = verified_person(deps, body)
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
        **ccf_grant_index(username, nit),
    }
    details = {"authorizationId": authorization_id, "person": username, "registered": registered, "by": member.profile}
    entry = audit.entry(entity(nit), "AUTHORIZATION_CREATED", actor, details)
    try:
        deps.repository.create_authorization(
            authorization, grant, member.username, deps.settings.audit_table_name, entry
        )
    except ConditionFailed:
        raise _why_not(deps, member, username) from None
    queued = send_email(
        deps,
        "authorization-notice",
        body.email,
        {
            "nombre": display_name(person.firstName, person.firstSurname),
            "razonSocial": reference_business_name(deps, nit),  # never the name typed at Paso 2
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
    existing = deps.repository.ccf_grant(username, member.nit)
    if existing and existing.get("status") != REVOKED:
        return DomainError(code="ALREADY_AUTHORIZED", status=409)
    if not _ccf_active(deps, member.nit):
        return DomainError(code="CCF_ROLE_NOT_ACTIVE", status=409)
    own = deps.repository.grant(member.username, member.nit)
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
            accept=lambda key: is_authorization_key(member.nit, key),
            message="invalid_next_token",
        )
    items, last = deps.repository.authorizations_page(member.nit, limit, start)
    return {"items": [view(item) for item in items], "nextToken": encode_page_token(last) if last else None}


def revoke(deps: Deps, member: Membership, authorization_id: str, actor: Actor) -> None:
    """Revocation is effective on the person's next request: the catalog area reads the ROLE item each time."""
    nit = member.nit
    item = deps.repository.authorization(nit, authorization_id)
    if not item or item.get("status") != ACTIVE:
        raise not_found()
    try:
        deps.repository.revoke_authorization(nit, authorization_id, str(item["username"]), member.username, iso())
    except ConditionFailed:
        raise not_found() from None
    record(deps, nit, "AUTHORIZATION_REVOKED", actor, {"authorizationId": authorization_id, "person": item["username"]})
    _suggest_rotation(deps, nit, item, actor)


# The revoked person may know the CCF's consumer password: the remaining authorized persons are told, and
# the answer links to where they change it with `immediate` (decision 0041).
ROTATION_REL = "urn:sat-ccf:rel:rotate-consumer-password"


def rotation_link(deps: Deps, nit: str) -> str:
    """The `Link` header (RFC 8288) of the revocation's 204: the portal page of the consumer password."""
    return f'<{deps.settings.portal_base_url}/ccfs/{nit}/servicios>; rel="{ROTATION_REL}"'


def _suggest_rotation(deps: Deps, nit: str, revoked: dict[str, Any], actor: Actor) -> None:
    try:
        people = ccf_person_access.authorized_people(deps.settings.main_table_name, nit)
    except Exception as error:  # the revocation is done; the notice is best effort
        logger.warning("revocation notice not queued", extra={"errorType": type(error).__name__})
        return
    business_name = str((deps.repository.ccf_activation(nit) or {}).get("businessName") or nit)
    for person in people:
        if not person.email or person.username == revoked["username"]:
            continue
        queued = send_email(
            deps,
            "authorization-revoked",
            person.email,
            {
                "nombre": person.name,
                "razonSocial": business_name,
                "nit": nit,
                "persona": display_name(revoked.get("firstName"), revoked.get("firstSurname")) or "-",
                "enlace": f"{deps.settings.portal_base_url}/ccfs/{nit}/servicios",
            },
            f"authorization-revoked#{revoked['authorizationId']}#{person.username}",
        )
        if not queued:
            record(deps, nit, "EMAIL_NOT_QUEUED", actor, {"template": "authorization-revoked"})
