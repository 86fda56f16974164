"""The Ministry's RUT review queue (manual §5 Paso 2, the Ministry's side): the companies of one status oldest
first, one company next to the business reference source, and a short-lived link to its RUT file.

Decision: docs/decisions/0092-rut-review-queue-and-viewer.md. The queue is one Query per page on GSI1
(`EMPSTATUS#<status>` / `<since>#<nit>`, repository.status_index); the viewer is a presigned S3 GET of the
accepted file version, each one written to the audit trail.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from delegation.common import fold, iso, record
from delegation.config import Deps
from delegation.repository import APPROVED, EXPIRED, FILE_REJECTED, REJECTED, UPLOADED, is_employer_key
from sat_common import aws, clock, keys, listing
from sat_common.audit import Actor
from sat_common.errors import DomainError, not_found
from sat_common.i18n import field_message

QUERY_PARAMETERS = frozenset({"status", "limit", "pageToken"})
INDEX_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")
# Statuses whose current slot holds a file that passed the upload check (the Ministry may have decided on it).
VIEWABLE = (UPLOADED, APPROVED, REJECTED)


def _source(status: str) -> listing.Source:
    partition = keys.employers_by_status(status)
    return listing.Source(
        query={},
        key_names=INDEX_KEYS,
        accept=lambda key: key.get("GSI1PK") == partition and is_employer_key(str(key.get("PK", ""))),
        order=lambda item: str(item.get("GSI1SK", "")),
    )


def since_of(item: dict[str, Any]) -> str | None:
    """When the company entered its status: the GSI1SK's first part (an item from before decision 0092 has
    `EMPLOYER#<nit>` there until `python -m ops backoffice reindex`: its updatedAt stands in)."""
    sort_key = str(item.get("GSI1SK", ""))
    if sort_key and not is_employer_key(sort_key):
        return sort_key.rsplit("#", 1)[0]
    return item.get("updatedAt")


def _seconds_since(moment: str | None) -> int | None:
    if not moment:
        return None
    try:
        then = clock.parse(moment)
    except ValueError:
        return None
    return max(0, int((clock.now() - then).total_seconds()))


def mask_document(number: str) -> str:
    """All but the last four characters hidden (the list shows who, the detail shows the whole document)."""
    return "*" * max(0, len(number) - 4) + number[-4:]


def _split_username(username: str) -> tuple[str, str]:
    document_type, _, number = str(username).partition("-")
    return document_type, number


# --------------------------------------------------------------------------- the queue
def queue(deps: Deps, status: str, limit: int, token: str | None) -> dict[str, Any]:
    """One page of the companies in `status`, oldest first: one Query on GSI1."""
    filters = {"status": status}
    source = _source(status)
    cursor = None
    if token:
        (cursor,) = listing.decode_token(token, filters, [source])
    items, last = deps.repository.employers_in_status(status, limit, cursor)
    next_token = listing.encode_token(filters, [{k: str(v) for k, v in last.items()}]) if last else None
    return {"items": [_queue_entry(item) for item in items], "nextPageToken": next_token}


def _queue_entry(item: dict[str, Any]) -> dict[str, Any]:
    current = item.get("rut") or {}
    document_type, number = _split_username(str(item.get("legalRepresentative", "")))
    since = since_of(item)
    return {
        "nit": item["nit"],
        "dv": item.get("dv"),
        "businessName": item.get("businessName"),
        "status": item["status"],
        "since": since,
        "submittedAt": current.get("uploadedAt") if current.get("status") in VIEWABLE else None,
        "waitingSeconds": _seconds_since(since),
        "legalRepresentative": {"documentType": document_type, "documentNumber": mask_document(number)},
        "referenceMatch": bool(item.get("referenceMatch")),
        "rutStatus": current.get("status"),
    }


# --------------------------------------------------------------------------- one company
def _employer(deps: Deps, nit: str) -> dict[str, Any]:
    employer = deps.repository.employer(nit)
    if not employer:
        raise not_found()
    return employer


def company(deps: Deps, nit: str, lang: str) -> dict[str, Any]:
    employer = _employer(deps, nit)
    reference = deps.reference.company(nit)
    typed_rep = str(employer.get("legalRepresentative", ""))
    document_type, number = _split_username(typed_rep)
    person = deps.reference.person(document_type, number)
    names = " ".join(p for p in (person.firstName, person.firstSurname) if p) if person else None
    reference_rep = (
        f"{reference.legalRepresentative.documentType}-{reference.legalRepresentative.documentNumber}"
        if reference
        else None
    )
    rows: list[tuple[str, Any, Any, Callable[[Any], str]]] = [
        ("businessName", employer.get("businessName"), reference.businessName if reference else None, fold),
        ("dv", employer.get("dv"), reference.dv if reference else None, str),
        ("companyType", employer.get("companyType"), reference.companyType if reference else None, str),
        ("legalRepresentative", typed_rep, reference_rep, str),
    ]
    comparison = [
        {"field": name, "typed": typed, "reference": ref, "matches": ref is not None and same(typed) == same(ref)}
        for name, typed, ref, same in rows
    ]
    delegate = employer.get("delegate")
    return {
        "nit": employer["nit"],
        "dv": employer.get("dv"),
        "businessName": employer.get("businessName"),
        "companyType": employer.get("companyType"),
        "status": employer["status"],
        "since": since_of(employer),
        "referenceMatch": bool(employer.get("referenceMatch")),
        "createdAt": employer.get("createdAt"),
        "updatedAt": employer.get("updatedAt"),
        "confirmedAt": employer.get("confirmedAt"),
        "legalRepresentative": {"documentType": document_type, "documentNumber": number, "names": names},
        "reference": {
            "found": reference is not None,
            "businessName": reference.businessName if reference else None,
            "dv": reference.dv if reference else None,
            "companyType": reference.companyType if reference else None,
            "status": reference.status if reference else None,
            "legalRepresentative": (
                {
                    "documentType": reference.legalRepresentative.documentType,
                    "documentNumber": reference.legalRepresentative.documentNumber,
                }
                if reference
                else None
            ),
        },
        "comparison": comparison,
        "rut": _rut_metadata(deps, employer.get("rut"), lang),
        "delegate": (
            {
                "documentType": delegate.get("documentType"),
                "documentNumber": delegate.get("documentNumber"),
                "names": " ".join(p for p in (delegate.get("firstName"), delegate.get("firstSurname")) if p),
                "namedAt": delegate.get("namedAt"),
                "registered": bool(delegate.get("registered")),
            }
            if delegate
            else None
        ),
        "headquarters": employer.get("headquarters"),
    }


def _rut_metadata(deps: Deps, current: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    if not current:
        return None
    status = current.get("status")
    code = None
    reason = current.get("rejection")
    if status == FILE_REJECTED and reason:
        code, reason = reason, field_message(str(reason).lower(), {"maxBytes": deps.settings.rut_max_bytes}, lang)
    elif status == REJECTED:
        code = "MINISTRY_REJECTED"
    elif status == EXPIRED:
        code, reason = "RUT_UPLOAD_EXPIRED", field_message("rut_upload_expired", {}, lang)
    return {
        "uploadId": current.get("uploadId"),
        "status": status,
        "sizeBytes": current.get("sizeBytes"),
        "sha256": current.get("sha256") or None,
        "uploadedAt": current.get("uploadedAt"),
        "expiresAt": current.get("expiresAt"),
        "rejectionCode": code,
        "rejection": reason,
        "reviewedAt": current.get("reviewedAt"),
        "reviewedBy": current.get("reviewedBy"),
        "viewable": status in VIEWABLE,
    }


# --------------------------------------------------------------------------- the viewer
def view_link(deps: Deps, nit: str, actor: Actor) -> dict[str, Any]:
    """A presigned GET of the accepted version of the company's RUT, valid RUT_VIEW_SECONDS (≤ 300): the file
    opens in the operator's browser straight from S3 (the PDF never passes through the API) and the link is
    useless minutes later. Every link handed out is audited."""
    employer = _employer(deps, nit)
    current = employer.get("rut") or {}
    if current.get("status") not in VIEWABLE or not current.get("key"):
        raise DomainError(code="RUT_FILE_NOT_FOUND", status=404, params={"nit": nit})
    seconds = deps.settings.rut_view_seconds
    params: dict[str, Any] = {
        "Bucket": deps.settings.rut_bucket_name,
        "Key": str(current["key"]),
        "ResponseContentType": "application/pdf",
        "ResponseContentDisposition": f'inline; filename="RUT-{nit}.pdf"',
    }
    version = current.get("versionId")
    if version and version != "null":
        params["VersionId"] = str(version)
    url = aws.client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    expires = clock.now() + timedelta(seconds=seconds)
    record(deps, nit, "RUT_VIEWED", actor, {"uploadId": current.get("uploadId"), "expiresInSeconds": seconds})
    return {
        "url": url,
        "expiresAt": iso(expires),
        "sizeBytes": current.get("sizeBytes"),
        "sha256": current.get("sha256"),
    }
