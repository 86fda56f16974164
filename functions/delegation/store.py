"""Items of the delegation area in the main table (docs/data-model.md, docs/decisions/0030-*).

PK                       SK                                   what
EMPLOYER#<nit>           PROFILE                              the company: RUT basic data, status, delegate,
                                                              headquarters, current RUT upload, version
EMPLOYER#<nit>           AUTH#<authorizationId>               one authorization of a person for the CCF
PERSON#<username>        ROLE#EMPLEADOR_PERSONA_JURIDICA#<nit> the legal representative's / delegate's grant
PERSON#<username>        ROLE#CAJA_DE_SUBSIDIO_FAMILIAR#<nit>  the authorized person's grant (also the
                                                              "once per person and CCF" uniqueness item)
EMPLOYER#<nit>           INVITATIONS#<yyyy-mm-dd>             delegate invitations sent that (Colombian) day:
                                                              a conditional counter; TTL expiresAt
CCF#<nit>                ACTIVATION                           written by the catalog area; read here

Every /employers/{nit} request is authorized by a GetItem of the caller's own ROLE item: rights come
from stored grants, never from the request.
"""

import os
import time
from typing import Any

from sat_common.items import ItemStore

PROFILE = "PROFILE"
EMPLOYER_ROLE = "EMPLEADOR_PERSONA_JURIDICA"
CCF_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"
LEGAL_REP = "REPRESENTANTE_LEGAL"
DELEGATE = "DELEGADO"
CCF_PROFILE = "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS"
ROLE_NAMES = {EMPLOYER_ROLE: "Empleador persona jurídica", CCF_ROLE: "Caja de Compensación Familiar"}

# Grant (ROLE item) states. /me/roles lists ACTIVE only; the catalog area accepts ACTIVE only.
ACTIVE = "ACTIVE"
PENDING_CONFIRMATION = "PENDING_CONFIRMATION"  # the company's registration is not confirmed yet
REVOKED = "REVOKED"

# Employer states
DRAFT = "DRAFT"
RUT_REQUIRED = "RUT_REQUIRED"
PENDING_REVIEW = "PENDING_REVIEW"
RUT_REJECTED = "RUT_REJECTED"
REGISTERED = "REGISTERED"

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid() -> str:
    """26-character ULID: 48-bit millisecond time + 80 random bits, Crockford base32 (sortable by time)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def employer_key(nit: str) -> dict[str, str]:
    return {"PK": f"EMPLOYER#{nit}", "SK": PROFILE}


def status_index_sk(since: str, nit: str) -> str:
    """GSI1SK of an employer: when it entered its status, then the NIT, so `GSI1PK = EMPSTATUS#<status>` reads
    a status's companies oldest first (the RUT review queue, decision 0092). Set with every GSI1PK change."""
    return f"{since}#{nit}"


def authorization_key(nit: str, authorization_id: str) -> dict[str, str]:
    return {"PK": f"EMPLOYER#{nit}", "SK": f"AUTH#{authorization_id}"}


def invitations_key(nit: str, day: str) -> dict[str, str]:
    return {"PK": f"EMPLOYER#{nit}", "SK": f"INVITATIONS#{day}"}


def role_key(username: str, role: str, nit: str) -> dict[str, str]:
    return {"PK": f"PERSON#{username}", "SK": f"ROLE#{role}#{nit}"}


def person_key(username: str, sort_key: str) -> dict[str, str]:
    return {"PK": f"PERSON#{username}", "SK": sort_key}


class Store(ItemStore):
    def page(
        self, pk: str, prefix: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": pk, ":prefix": prefix},
            "Limit": limit,
            "ConsistentRead": True,
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        return self.query(**kwargs)
