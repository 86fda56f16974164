"""The terms of use and privacy policy an authorized person accepts or declines before using the CCF's services
(manual §6, Paso 3): the current text, and each decision kept as evidence (its item and the audit trail)."""

import hashlib
from functools import cache
from importlib import resources
from typing import Any

from catalog.config import Deps
from catalog.repository import PersonAccess
from sat_common import audit, ccf_person_access, clock, keys
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.ccf_person_access import ACCEPT, terms_key
from sat_common.errors import DomainError

TERMS_TITLE = "Condiciones de uso y política de privacidad"


def terms_text(version: str | None = None) -> str:
    return _terms_file(version or ccf_person_access.TERMS_VERSION)


@cache
def _terms_file(version: str) -> str:
    return resources.files("catalog").joinpath("terms", f"{version}.md").read_text(encoding="utf-8")


def terms_hash(version: str | None = None) -> str:
    return hashlib.sha256(terms_text(version).encode()).hexdigest()


def get_terms(deps: Deps, caller: Caller, nit: str) -> dict[str, Any]:
    """The current terms and the person's decision on them (one read, decision 0113)."""
    access = deps.store.person_access(caller.username, nit)
    ccf_person_access.check_access(access.role, access.activation)
    decision = access.terms or {}
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
    access = deps.store.person_access(caller.username, nit)
    ccf_person_access.check_access(access.role, access.activation)
    if version != ccf_person_access.TERMS_VERSION:
        raise DomainError(
            code="TERMS_VERSION_MISMATCH", status=409, params={"version": ccf_person_access.TERMS_VERSION}
        )
    now = clock.stamp()
    evidence = {
        "version": version,
        "decision": decision,
        "textHash": terms_hash(),
        "decidedAt": now,
        "sourceIp": actor.source_ip or "-",
        "userAgent": (actor.user_agent or "-")[:256],
    }
    deps.store.record_terms_decision(
        {**terms_key(nit, caller.username), "nit": nit, "username": caller.username, **evidence}
    )
    # The audit entry is the append-only evidence (every decision, not only the last one).
    audit.record(deps.settings.audit_table_name, keys.ccf(nit), f"TERMS_{decision}", actor, evidence)
    return {"version": version, "decision": decision, "accepted": decision == ACCEPT, "decidedAt": now}


def require_accepted(access: PersonAccess) -> dict[str, Any]:
    """The person may use the CCF's services (sat_common.ccf_person_access's rules on the items the route read
    with its own): authorized for an active CCF and the current terms accepted. The CCF's activation item."""
    activation = ccf_person_access.check_access(access.role, access.activation)
    ccf_person_access.check_terms(access.terms)
    return activation
