"""May this person act for CCF <nit> on /ccfs/{nit}/...? One rule for the catalog and share areas,
read on every request so a revocation takes effect on the next one:
1. main-table item `PERSON#<username>` / `ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>` with status ACTIVE, and
   `CCF#<nit>` / `ACTIVATION` with status ACTIVE; otherwise 404 NOT_FOUND (another CCF's objects are
   answered as if they did not exist);
2. the person's terms decision `CCF#<nit>` / `TERMS#<username>` is ACCEPT of the current version;
   otherwise 403 TERMS_NOT_ACCEPTED.
"""

from __future__ import annotations

from typing import Any

from sat_common import ccf_access
from sat_common.auth import Caller
from sat_common.errors import DomainError
from sat_common.items import ItemStore

# The terms text is functions/catalog/terms/<version>.md; a new file + this constant = a new acceptance.
TERMS_VERSION = "2026-01"
ACCEPT = "ACCEPT"


def terms_key(nit: str, username: str) -> dict[str, str]:
    return {"PK": f"CCF#{nit}", "SK": f"TERMS#{username}"}


def require_authorized(table_name: str, caller: Caller, nit: str) -> dict[str, Any]:
    """The CCF's activation item when the caller holds the ACTIVE authorized role for it; 404 otherwise."""
    store = ItemStore(table_name)
    role = store.get(ccf_access.role_key(caller.username, nit))
    if not role or role.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="NOT_FOUND", status=404)
    activation = store.get(ccf_access.activation_key(nit))
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="NOT_FOUND", status=404)
    return activation


def require_authorized_with_terms(table_name: str, caller: Caller, nit: str) -> dict[str, Any]:
    """As require_authorized, and the current terms accepted (403 TERMS_NOT_ACCEPTED otherwise)."""
    activation = require_authorized(table_name, caller, nit)
    decision = ItemStore(table_name).get(terms_key(nit, caller.username)) or {}
    if decision.get("version") != TERMS_VERSION or decision.get("decision") != ACCEPT:
        raise DomainError(code="TERMS_NOT_ACCEPTED", status=403, params={"version": TERMS_VERSION})
    return activation
