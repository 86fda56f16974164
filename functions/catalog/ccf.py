"""The authorized person's side (manual §6): terms, the CCF's catalog, service info and docs, password."""

import hashlib
import json
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

from catalog import service_docs
from catalog.config import Deps
from sat_common import audit, ccf_access, ccf_person_access, clock, passwords
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.ccf_person_access import ACCEPT, terms_key
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.observability import logger
from sat_common.outbox import OutboxEmail, enqueue_email

TERMS_TITLE = "Condiciones de uso y política de privacidad"


def terms_text(version: str | None = None) -> str:
    return _terms_file(version or ccf_person_access.TERMS_VERSION)


@cache
def _terms_file(version: str) -> str:
    return resources.files("catalog").joinpath("terms", f"{version}.md").read_text(encoding="utf-8")


def terms_hash(version: str | None = None) -> str:
    return hashlib.sha256(terms_text(version).encode()).hexdigest()


def _now() -> str:
    return clock.now().isoformat(timespec="seconds")


# --------------------------------------------------------------------------- terms (Paso 3)
def get_terms(deps: Deps, caller: Caller, nit: str) -> dict[str, Any]:
    ccf_person_access.require_authorized(deps.settings.main_table_name, caller, nit)
    decision = deps.store.get(terms_key(nit, caller.username)) or {}
    current = decision.get("version") == ccf_person_access.TERMS_VERSION
    return {
        "version": ccf_person_access.TERMS_VERSION,
        "title": TERMS_TITLE,
        "text": terms_text(),
        "textHash": terms_hash(),
        "accepted": current and decision.get("decision") == ACCEPT,
        "decision": decision.get("decision") if current else None,
        "decidedAt": decision.get("decidedAt") if current else None,
    }


def decide_terms(deps: Deps, caller: Caller, nit: str, version: str, decision: str, actor: Actor) -> dict[str, Any]:
    ccf_person_access.require_authorized(deps.settings.main_table_name, caller, nit)
    if version != ccf_person_access.TERMS_VERSION:
        raise DomainError(
            code="TERMS_VERSION_MISMATCH", status=409, params={"version": ccf_person_access.TERMS_VERSION}
        )
    now = _now()
    evidence = {
        "version": version,
        "decision": decision,
        "textHash": terms_hash(),
        "decidedAt": now,
        "sourceIp": actor.source_ip or "-",
        "userAgent": (actor.user_agent or "-")[:256],
    }
    deps.store.put({**terms_key(nit, caller.username), "nit": nit, "username": caller.username, **evidence})
    # The audit entry is the append-only evidence (every decision, not only the last one).
    audit.record(deps.settings.audit_table_name, f"CCF#{nit}", f"TERMS_{decision}", actor, evidence)
    return {"version": version, "decision": decision, "accepted": decision == ACCEPT, "decidedAt": now}


def _require_terms(deps: Deps, caller: Caller, nit: str) -> dict[str, Any]:
    return ccf_person_access.require_authorized_with_terms(deps.settings.main_table_name, caller, nit)


# --------------------------------------------------------------------------- catalog (Paso 4)
def _assignments(deps: Deps, nit: str) -> list[dict[str, Any]]:
    items = deps.store.query_all(
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={":pk": f"CCF#{nit}", ":prefix": "ASSIGN#"},
        ConsistentRead=True,
    )
    return [item for item in items if item.get("status") == ccf_access.ACTIVE]


def list_services(deps: Deps, caller: Caller, nit: str) -> dict[str, Any]:
    _require_terms(deps, caller, nit)
    listed = []
    for assignment in _assignments(deps, nit):
        service = deps.store.get(ccf_access.service_key(assignment["serviceId"]))
        if service:
            listed.append(
                {
                    "serviceId": service["serviceId"],
                    "code": service["code"],
                    "name": service["name"],
                    "description": service["description"],
                    "operation": service["operation"],
                    "state": service["state"],
                }
            )
    return {"nit": nit, "items": sorted(listed, key=lambda item: item["code"])}


def _assigned_service(deps: Deps, caller: Caller, nit: str, service_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    _require_terms(deps, caller, nit)
    assignment = deps.store.get(ccf_access.assignment_key(nit, service_id))
    service = deps.store.get(ccf_access.service_key(service_id))
    if not assignment or assignment.get("status") != ccf_access.ACTIVE or not service:
        raise DomainError(code="SERVICE_NOT_FOUND", status=404, params={"serviceId": service_id})
    return assignment, service


def service_info(deps: Deps, caller: Caller, nit: str, service_id: str, base_url: str) -> dict[str, Any]:
    assignment, service = _assigned_service(deps, caller, nit, service_id)
    return {
        "serviceId": service_id,
        "name": service["name"],
        "description": service["description"],
        "clientId": assignment["clientId"],
        "state": service["state"],
        "tokenUrl": f"{base_url}/oauth2/token",
        "endpointUrl": f"{base_url}{service['endpointPath']}",
        "operation": service["operation"],
    }


def service_document(deps: Deps, caller: Caller, nit: str, service_id: str, base_url: str) -> dict[str, Any]:
    _, service = _assigned_service(deps, caller, nit, service_id)
    return service_docs.for_ccf(json.loads(service["openapi"]), base_url)


# --------------------------------------------------------------------------- consumer password
def set_consumer_password(
    deps: Deps,
    caller: Caller,
    nit: str,
    password: str,
    confirmation: str,
    actor: Actor,
    *,
    immediate: bool = False,
) -> None:
    """A new consumer password. Without `immediate` the previous one keeps working for the overlap; with it
    the previous one stops at once and tokens obtained with any older password are refused by the /sat
    authorizer (`tokensNotBeforeRevision`; decision 0041)."""
    activation = _require_terms(deps, caller, nit)
    if password != confirmation:
        raise DomainError(
            code="PASSWORD_MISMATCH", status=422, errors=[FieldError("passwordConfirmation", "password_mismatch")]
        )
    business_name = str(activation.get("businessName") or "")
    # The CCF's own data: its NIT and the words of its name (short words such as "de", "los" would
    # reject innocent phrases: passwords.check matches tokens of 3+ characters inside the password).
    words = [word for word in business_name.split() if len(word) >= 4]
    violation = passwords.check(password, [nit, *words])
    if violation:
        raise DomainError(
            code="PASSWORD_POLICY", status=422, errors=[FieldError("password", violation.rule, violation.params)]
        )
    settings = deps.settings
    new_hash = ccf_access.hash_password(passwords.normalize(password), settings.password_hash_cost)
    now = clock.now()
    for _ in range(3):  # optimistic concurrency on `revision`: two simultaneous changes never lose one
        current = deps.store.get(ccf_access.password_key(nit))
        revision = int((current or {}).get("revision", 0))
        item: dict[str, Any] = {
            **ccf_access.password_key(nit),
            "nit": nit,
            "revision": revision + 1,
            "current": {
                **new_hash,
                "revision": revision + 1,
                "setAt": now.isoformat(timespec="seconds"),
                "setBy": caller.username,
            },
            # Tokens obtained with an older password revision are refused by the /sat authorizer.
            "tokensNotBeforeRevision": (
                revision + 1 if immediate else int((current or {}).get("tokensNotBeforeRevision", 0))
            ),
        }
        if current and current.get("current") and not immediate:
            valid_until = now + timedelta(hours=settings.consumer_password_overlap_hours)
            item["previous"] = {
                "revision": revision,  # set before decision 0041: the item's revision was its own
                **current["current"],
                "validUntil": clock.epoch(valid_until),
            }
        try:
            if current:
                deps.store.put(item, "revision = :revision", values={":revision": revision})
            else:
                deps.store.put(item, "attribute_not_exists(PK)")
            break
        except ConditionFailed:
            continue
    else:
        raise DomainError(code="SERVICE_UNAVAILABLE", status=503, headers={"Retry-After": "1"})
    audit.record(
        settings.audit_table_name,
        f"CCF#{nit}",
        "CONSUMER_PASSWORD_SET",
        actor,
        {
            "revision": revision + 1,
            "immediate": immediate,
            "overlapHours": "0" if immediate else str(settings.consumer_password_overlap_hours),
        },
    )
    transition = (
        IMMEDIATE_NOTICE if immediate else OVERLAP_NOTICE.format(hours=f"{settings.consumer_password_overlap_hours:g}")
    )
    _notify(deps, caller, nit, business_name, now.isoformat(timespec="minutes"), revision + 1, transition)


# The consumer-password-changed e-mail's `transicion` (infra/email_templates/README.md).
OVERLAP_NOTICE = (
    "La contraseña anterior seguirá funcionando durante {hours} horas, para que los sistemas de la caja se "
    "actualicen sin interrupciones. Después, solo la nueva será válida."
)
IMMEDIATE_NOTICE = (
    "El cambio fue inmediato: la contraseña anterior dejó de funcionar y los tokens de acceso obtenidos antes "
    "del cambio fueron revocados (dejan de aceptarse en menos de un minuto)."
)


def _notify(
    deps: Deps, caller: Caller, nit: str, business_name: str, when: str, revision: int, transition: str
) -> None:
    """E-mail every authorized person of the CCF (best effort: the change is done, the notice may lag)."""
    try:
        recipients: dict[str, str] = {}
        people = ccf_person_access.authorized_people(deps.settings.main_table_name, nit)
        for person in people:
            email = person.email or (caller.email if person.username == caller.username else None)
            if email:
                recipients[email.lower()] = person.name
        if caller.username not in {person.username for person in people} and caller.email:
            recipients.setdefault(caller.email.lower(), ccf_person_access.DEFAULT_NAME)
        for email, name in sorted(recipients.items()):
            enqueue_email(
                deps.settings.outbox_queue_url,
                OutboxEmail(
                    id=f"consumer-password-{nit}-{revision}-{hashlib.sha256(email.encode()).hexdigest()[:16]}",
                    template="consumer-password-changed",
                    to=email,
                    data={
                        "nombre": name,
                        "razonSocial": business_name or nit,
                        "nit": nit,
                        "fecha": when,
                        "transicion": transition,
                        "enlace": f"{deps.settings.portal_base_url}/ccfs/{nit}/servicios",
                    },
                ),
            )
    except Exception as error:
        logger.warning("consumer password notice not queued", extra={"errorType": type(error).__name__})
