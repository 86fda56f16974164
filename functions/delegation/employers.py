"""Registro de rol empleador persona jurídica (manual §5): basic data, delegate, headquarters, confirmation,
and "Actualizar datos"."""

from typing import Any

from pydantic import ValidationError

from delegation import invitations, representative, rut
from delegation.common import (
    Membership,
    display_name,
    employer_role_item,
    fold,
    is_registered,
    iso,
    record,
    reference_business_name,
    reference_username,
    require_legal_representative,
    send_email,
    verified_person,
)
from delegation.config import Deps
from delegation.models import DelegateData, EmployerCreate, EmployerUpdate, HeadquartersData
from delegation.repository import (
    ACTIVE,
    DELEGATE,
    DRAFT,
    EXPIRED,
    FILE_REJECTED,
    LEGAL_REP,
    PENDING_CONFIRMATION,
    REGISTERED,
    REJECTED,
    REVOKED,
    RUT_REQUIRED,
    employer_key,
    status_index,
)
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError, invalid
from sat_common.i18n import field_message

HEADQUARTERS_FIELDS = tuple(HeadquartersData.model_fields)


# --- Paso 2 ----------------------------------------------------------------------------------------------


def create(deps: Deps, caller: Caller, body: EmployerCreate, actor: Actor) -> tuple[dict[str, Any], int]:
    """Paso 2; (answer, 201). A company registered already is taken over (answer, 200) by the legal
    representative the reference source names when that is not whoever holds it now (decision 0033)."""
    company = deps.reference.company(body.nit)
    if company is None or reference_username(company) != caller.username:
        raise DomainError(code="NOT_LEGAL_REPRESENTATIVE", status=403)
    if company.status != "ACTIVA":
        raise DomainError(code="COMPANY_NOT_ACTIVE", status=409)
    existing = deps.repository.employer(body.nit)
    if existing is not None:
        if existing["legalRepresentative"] == caller.username and representative.holds_grant(
            deps, caller.username, body.nit
        ):
            raise DomainError(code="EMPLOYER_ALREADY_EXISTS", status=409)
        return representative.take_over(deps, caller.username, existing, actor), 200
    matches = (
        company.dv == body.dv
        and fold(company.businessName) == fold(body.businessName)
        and company.companyType == body.companyType
    )
    status = DRAFT if matches else RUT_REQUIRED
    now = iso()
    employer: dict[str, Any] = {
        **employer_key(body.nit),
        "nit": body.nit,
        "dv": body.dv,
        "businessName": body.businessName,
        "companyType": body.companyType,
        "referenceMatch": matches,
        "status": status,
        "legalRepresentative": caller.username,
        representative.CHECKED_AT: now,  # the reference source was just asked
        "createdAt": now,
        "updatedAt": now,
        "version": 1,
        **status_index(status, now, body.nit),
    }
    slot = None
    if not matches:
        employer["rut"], slot = rut.new_slot(deps, body.nit)
    try:
        deps.repository.create_employer(
            employer, employer_role_item(caller.username, LEGAL_REP, employer, PENDING_CONFIRMATION, now)
        )
    except ConditionFailed:
        raise DomainError(code="EMPLOYER_ALREADY_EXISTS", status=409) from None
    record(deps, body.nit, "EMPLOYER_CREATED", actor, {"status": status, "referenceMatch": matches})
    if slot:
        record(deps, body.nit, "RUT_SLOT_ISSUED", actor, {"uploadId": slot["uploadId"], "replaces": None})
    return {"nit": body.nit, "status": status, "upload": slot}, 201


# --- Paso 3 ----------------------------------------------------------------------------------------------


def set_delegate(deps: Deps, member: Membership, body: DelegateData, actor: Actor) -> dict[str, Any]:
    """Name (or replace) the delegate. Registered or not, the grant is stored at once, keyed by the
    delegate's username: it can only be used after that person registers and signs in (0030). Replacing
    the delegate revokes the previous one's grant in the same transaction."""
    require_legal_representative(member)
    employer = member.employer
    username = f"{body.documentType}-{body.documentNumber}"
    if username == employer["legalRepresentative"]:
        raise invalid([FieldError("documentNumber", "delegate_is_legal_representative")])
    person = verified_person(deps, body)
    registered = is_registered(deps, username)
    now = iso()
    delegate = {
        "username": username,
        **body.model_dump(),
        "namedAt": now,
        "registered": registered,
    }
    role_status = ACTIVE if employer["status"] == REGISTERED else PENDING_CONFIRMATION
    previous = (employer.get("delegate") or {}).get("username")
    try:
        deps.repository.name_delegate(
            member.nit,
            employer["version"],
            delegate,
            employer_role_item(username, DELEGATE, employer, role_status, now),
            previous if previous != username else None,
            None if registered else invitations.one_more(deps),
            now,
        )
    except ConditionFailed:
        limited = None if registered else invitations.limit_reached(deps, member.nit)
        raise (limited or DomainError(code="CONCURRENT_UPDATE", status=409)) from None
    if previous and previous != username:
        record(deps, member.nit, "DELEGATE_REVOKED", actor, {"delegate": previous})
    record(deps, member.nit, "DELEGATE_NAMED", actor, {"delegate": username, "registered": registered})
    if not registered:
        queued = send_email(
            deps,
            "delegate-invitation",
            body.email,
            {
                # names and company as the reference sources know them, never as typed (docs/security.md)
                "nombre": display_name(person.firstName, person.firstSurname),
                "razonSocial": reference_business_name(deps, member.nit),
                "nit": member.nit,
                "enlace": f"{deps.settings.portal_base_url}/registro",
            },
            f"delegate-invitation#{member.nit}#{username}#{now}",
        )
        record(deps, member.nit, "DELEGATE_INVITED" if queued else "EMAIL_NOT_QUEUED", actor, {"delegate": username})
    return delegate_view(delegate, role_status)


def delegate_view(delegate: dict[str, Any], role_status: str) -> dict[str, Any]:
    keys = ("documentType", "documentNumber", "firstName", "middleName", "firstSurname", "secondSurname", "email")
    return {
        **{key: delegate.get(key) for key in keys},
        "namedAt": delegate["namedAt"],
        "registered": bool(delegate.get("registered")),
        "roleStatus": role_status,
    }


# --- Paso 4 and "Actualizar datos" -----------------------------------------------------------------------


def save_headquarters(
    deps: Deps, member: Membership, data: dict[str, Any], actor: Actor, action: str
) -> dict[str, Any]:
    try:
        deps.repository.save_headquarters(member.nit, member.employer["version"], data, iso())
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    record(deps, member.nit, action, actor, {"fields": sorted(data)})
    return data


def update(deps: Deps, member: Membership, body: EmployerUpdate, actor: Actor) -> dict[str, Any]:
    """PATCH: the given headquarters fields over the stored ones; the result must be complete and valid."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise invalid([FieldError("body", "nothing_to_update")])
    merged = {**(member.employer.get("headquarters") or {}), **changes}
    try:
        data = HeadquartersData.model_validate(merged).model_dump()
    except ValidationError as error:
        raise invalid(_field_errors(error)) from None
    return save_headquarters(deps, member, data, actor, "EMPLOYER_UPDATED")


def _field_errors(error: ValidationError) -> list[FieldError]:
    return [
        FieldError(".".join(str(part) for part in item["loc"]) or "body", item["type"], item.get("ctx") or {})
        for item in error.errors()
    ]


# --- Paso 4: confirm -------------------------------------------------------------------------------------


def missing_steps(employer: dict[str, Any]) -> list[str]:
    missing = []
    if employer["status"] != DRAFT:
        missing.append("rut")
    if not employer.get("delegate"):
        missing.append("delegate")
    if not employer.get("headquarters"):
        missing.append("headquarters")
    return missing


def confirm(deps: Deps, member: Membership, actor: Actor) -> dict[str, Any]:
    require_legal_representative(member)
    employer = member.employer
    if employer["status"] == REGISTERED:
        raise DomainError(code="EMPLOYER_ALREADY_CONFIRMED", status=409)
    missing = missing_steps(employer)
    if missing:
        raise DomainError(
            code="EMPLOYER_STEPS_MISSING",
            status=409,
            params={"steps": ", ".join(missing)},
            extra={"missingSteps": missing},
        )
    now = iso()
    delegate = employer["delegate"]["username"]
    try:
        deps.repository.confirm(
            member.nit,
            employer["version"],
            (employer["legalRepresentative"], delegate),
            str(employer["businessName"]),
            now,
        )
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    record(
        deps,
        member.nit,
        "EMPLOYER_CONFIRMED",
        actor,
        {"legalRepresentative": employer["legalRepresentative"], "delegate": delegate},
    )
    headquarters = employer["headquarters"]
    document_type, _, number = str(employer["legalRepresentative"]).partition("-")
    person = deps.reference.person(document_type, number)
    queued = send_email(
        deps,
        "employer-confirmation",
        str(headquarters["email"]),
        {
            "nombre": display_name(person.firstName, person.firstSurname) if person else document_type,
            "razonSocial": reference_business_name(deps, member.nit),
            "nit": member.nit,
            "enlace": f"{deps.settings.portal_base_url}/empleadores/{member.nit}",
        },
        f"employer-confirmation#{member.nit}",
    )
    if not queued:
        record(deps, member.nit, "EMAIL_NOT_QUEUED", actor, {"template": "employer-confirmation"})
    return {"nit": member.nit, "status": REGISTERED}


# --- read ---------------------------------------------------------------------------------------------------


def view(deps: Deps, member: Membership, lang: str) -> dict[str, Any]:
    employer = rut.reconcile(deps, member.employer)
    delegate = employer.get("delegate")
    delegate_out = None
    if delegate:
        # The delegate's own request has their grant already: no second read.
        same = delegate["username"] == member.username
        grant = member.grant if same else deps.repository.grant(delegate["username"], member.nit) or {}
        delegate_out = delegate_view(delegate, str(grant.get("status", REVOKED)))
    current = employer.get("rut")
    rut_out = None
    if current:
        rut_out = {
            key: current.get(key)
            for key in ("uploadId", "status", "expiresAt", "sizeBytes", "uploadedAt", "reviewedAt")
        }
        rejection = current.get("rejection")
        if current.get("status") == FILE_REJECTED and rejection:
            # a file check code: the reason in the reader's language
            rut_out["rejectionCode"] = rejection
            rut_out["rejection"] = field_message(
                str(rejection).lower(), {"maxBytes": deps.settings.rut_max_bytes}, lang
            )
        elif current.get("status") == REJECTED:
            rut_out["rejectionCode"] = "MINISTRY_REJECTED"
            rut_out["rejection"] = rejection
        elif current.get("status") == EXPIRED:
            rut_out["rejectionCode"] = "RUT_UPLOAD_EXPIRED"
            rut_out["rejection"] = field_message("rut_upload_expired", {}, lang)
    return {
        "nit": employer["nit"],
        "dv": employer["dv"],
        "businessName": employer["businessName"],
        "companyType": employer["companyType"],
        "status": employer["status"],
        "referenceMatch": bool(employer.get("referenceMatch")),
        "legalRepresentative": employer["legalRepresentative"],
        "yourProfile": member.profile,
        "delegate": delegate_out,
        "headquarters": employer.get("headquarters"),
        "rut": rut_out,
        "createdAt": employer["createdAt"],
        "updatedAt": employer["updatedAt"],
        "confirmedAt": employer.get("confirmedAt"),
    }
