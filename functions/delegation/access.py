"""Who may act on /employers/{nit}: the caller's stored grant, never the request (decision 0030), and for the
legal representative, the business reference source still naming them (decision 0033)."""

from delegation import representative
from delegation.common import Membership
from delegation.config import Deps
from delegation.repository import DELEGATE, EMPLOYER_ACCESS, LEGAL_REP
from sat_common.auth import Caller
from sat_common.errors import not_found


def membership(deps: Deps, caller: Caller, nit: str) -> Membership:
    """The caller's grant on `nit`, from the stored ROLE item (read with the company in one call); 404 when
    there is none, as if the company did not exist. The employer item must agree (defence in depth). A legal
    representative the reference source no longer names loses the grant here
    (representative.still_represents) and gets the same 404."""
    grant, employer = deps.repository.grant_and_employer(caller.username, nit)
    if not grant or grant.get("status") not in EMPLOYER_ACCESS:
        raise not_found()
    if not employer:
        raise not_found()
    profile = grant.get("profile")
    if profile == LEGAL_REP and employer.get("legalRepresentative") == caller.username:
        if not representative.still_represents(deps, employer, caller.username):
            raise not_found()
        return Membership(caller.username, LEGAL_REP, grant, employer)
    if profile == DELEGATE and (employer.get("delegate") or {}).get("username") == caller.username:
        return Membership(caller.username, DELEGATE, grant, employer)
    raise not_found()
