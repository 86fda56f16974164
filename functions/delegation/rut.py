"""The RUT upload (manual §5 Paso 2) and the Ministry's review.

State of the current upload slot, `employer.rut.status`:

    AWAITING_UPLOAD --file ok--> UPLOADED (company PENDING_REVIEW)
          |                        --Ministry--> APPROVED (company DRAFT) | REJECTED (company RUT_REJECTED)
          |  \\--bad file--> FILE_REJECTED (file deleted; company stays RUT_REQUIRED, ask for a new slot)
          \\--no file by expiry (+ grace)--> EXPIRED (company stays RUT_REQUIRED, ask for a new slot)

A file that lands on a key that is not the current slot's, or on a slot already used, is discarded
(the accepted version is kept: the bucket is versioned and only the newcomer's version is deleted).
docs/decisions/0031-rut-upload-and-check.md has the reasons.
"""

import hashlib
import io
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote_plus

from delegation.common import (
    Membership,
    display_name,
    iso,
    person_email,
    record,
    reference_business_name,
    require_legal_representative,
    send_email,
)
from delegation.config import Deps
from delegation.repository import (
    APPROVED,
    AWAITING_UPLOAD,
    DRAFT,
    PENDING_REVIEW,
    REJECTED,
    RUT_REJECTED,
    RUT_REQUIRED,
    UPLOADED,
)
from sat_common import aws, clock, ministry
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError, invalid, not_found
from sat_common.ids import new_ulid
from sat_common.observability import logger
from sat_common.operator_groups import REVIEWER

SYSTEM = Actor(subject="system")
KEY_PATTERN = re.compile(r"^rut/([0-9]{9})/([0-9A-HJKMNP-TV-Z]{26})\.pdf$")
# A slot is declared EXPIRED only this long after its presigned POST expired, so an upload accepted by S3
# just before expiry has time to be checked through its event first.
EXPIRY_GRACE = timedelta(seconds=60)


# --- the upload slot -------------------------------------------------------------------------------


def portal_return_url(deps: Deps, nit: str) -> str:
    """Where S3 sends the browser after a form upload from the portal: always the company's own portal page
    (a fixed value signed into the policy, so the slot is no open redirect; decision 0086)."""
    return f"{deps.settings.portal_base_url}/empleadores/{nit}"


def new_slot(deps: Deps, nit: str, return_to_portal: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh slot: the record stored on the employer, and the presigned POST the client uses. With
    `return_to_portal` the form also carries `success_action_redirect` (a browser posting the form straight to
    S3 is sent back to the portal with a 303; other clients get S3's 204 as before)."""
    settings = deps.settings
    upload_id = new_ulid()
    key = f"rut/{nit}/{upload_id}.pdf"
    expires = clock.now() + timedelta(seconds=settings.rut_upload_seconds)
    fields: dict[str, Any] = {"Content-Type": "application/pdf"}
    conditions: list[Any] = [["content-length-range", 1, settings.rut_max_bytes], {"Content-Type": "application/pdf"}]
    if return_to_portal:
        fields["success_action_redirect"] = portal_return_url(deps, nit)
        conditions.append({"success_action_redirect": fields["success_action_redirect"]})
    presigned = aws.client("s3").generate_presigned_post(
        Bucket=settings.rut_bucket_name,
        Key=key,
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=settings.rut_upload_seconds,
    )
    record_ = {"uploadId": upload_id, "key": key, "status": AWAITING_UPLOAD, "expiresAt": iso(expires)}
    slot = {
        "uploadId": upload_id,
        "url": presigned["url"],
        "fields": {name: str(value) for name, value in presigned["fields"].items()},
        "maxBytes": settings.rut_max_bytes,
        "expiresAt": iso(expires),
    }
    return record_, slot


def request_slot(deps: Deps, member: Membership, actor: Actor, return_to_portal: bool = False) -> dict[str, Any]:
    """POST /employers/{nit}/rut: a new slot while the RUT is required (again after a bad file, an expired
    slot or a rejection). A slot not used yet is replaced: a file posted to it later is discarded."""
    require_legal_representative(member)
    employer = member.employer
    status = employer["status"]
    if status == PENDING_REVIEW:
        raise DomainError(code="RUT_ALREADY_UPLOADED", status=409)
    if status not in (RUT_REQUIRED, RUT_REJECTED):
        raise DomainError(code="RUT_NOT_REQUIRED", status=409, params={"status": status})
    record_, slot = new_slot(deps, member.nit, return_to_portal)
    try:
        deps.repository.issue_rut_slot(member.nit, employer["version"], record_, iso())
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    previous = (employer.get("rut") or {}).get("uploadId")
    record(deps, member.nit, "RUT_SLOT_ISSUED", actor, {"uploadId": slot["uploadId"], "replaces": previous})
    return slot


# --- the uploaded object -------------------------------------------------------------------------


def handle_s3_records(deps: Deps, records: list[dict[str, Any]]) -> None:
    for item in records:
        if not str(item.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = item.get("s3") or {}
        key = unquote_plus(str((s3.get("object") or {}).get("key", "")))
        process_upload(deps, key)


def process_upload(deps: Deps, key: str) -> str:
    """Check the object at `key` against the company's current slot; returns what happened (for tests)."""
    match = KEY_PATTERN.fullmatch(key)
    if not match:
        logger.warning("object outside the RUT key layout ignored")
        return "IGNORED"
    nit, upload_id = match.groups()
    employer = deps.repository.employer(nit)
    current = (employer or {}).get("rut") or {}
    s3 = aws.client("s3")
    bucket = deps.settings.rut_bucket_name
    head = _head(bucket, key)
    if head is None:
        return "ABSENT"  # deleted already (a duplicate event of a discarded file)
    version_id = head.get("VersionId")
    if not employer or current.get("uploadId") != upload_id:
        _delete(bucket, key, version_id)
        record(deps, nit, "RUT_UPLOAD_DISCARDED", SYSTEM, {"uploadId": upload_id, "reason": "NOT_CURRENT_SLOT"})
        return "DISCARDED"
    if current.get("status") != AWAITING_UPLOAD:
        if current.get("versionId") and current.get("versionId") == version_id:
            return "DUPLICATE_EVENT"
        # A second file on a used slot: drop the newcomer; the accepted version (if any) stays current.
        _delete(bucket, key, version_id)
        record(deps, nit, "RUT_UPLOAD_DISCARDED", SYSTEM, {"uploadId": upload_id, "reason": "SLOT_ALREADY_USED"})
        return "DISCARDED"

    size = int(head.get("ContentLength", 0))
    reason, digest = _inspect(deps, s3, bucket, key, version_id, size)
    now = iso()
    if reason:
        _delete(bucket, key, version_id)
        try:
            deps.repository.reject_rut_file(nit, upload_id, reason, size, now)
        except ConditionFailed:
            return "RACED"
        record(deps, nit, "RUT_FILE_REJECTED", SYSTEM, {"uploadId": upload_id, "reason": reason, "sizeBytes": size})
        return reason
    try:
        deps.repository.accept_rut_file(nit, upload_id, size, version_id or "null", digest, now)
    except ConditionFailed:
        return "RACED"
    record(deps, nit, "RUT_UPLOADED", SYSTEM, {"uploadId": upload_id, "sizeBytes": size, "sha256": digest})
    return UPLOADED


def _head(bucket: str, key: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        result: dict[str, Any] = aws.client("s3").head_object(Bucket=bucket, Key=key)
        return result
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound", "403"}:
            return None
        raise


def _delete(bucket: str, key: str, version_id: str | None) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id and version_id != "null":
        kwargs["VersionId"] = version_id
    aws.client("s3").delete_object(**kwargs)


def _inspect(deps: Deps, s3: Any, bucket: str, key: str, version_id: str | None, size: int) -> tuple[str | None, str]:
    """(rejection code or None, sha256). Size first, so a big object is never downloaded."""
    settings = deps.settings
    if size > settings.rut_max_bytes:
        return "RUT_TOO_LARGE", ""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version_id and version_id != "null":
        kwargs["VersionId"] = version_id
    data = s3.get_object(**kwargs)["Body"].read(settings.rut_max_bytes + 1)
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > settings.rut_max_bytes:
        return "RUT_TOO_LARGE", digest
    return check_pdf(data, settings.rut_max_age_days), digest


def check_pdf(data: bytes, max_age_days: int) -> str | None:
    """None when `data` is a readable, unencrypted PDF not older than max_age_days (when its creation date
    can be read; without one the Ministry's reviewer checks the date on the document)."""
    if not data.startswith(b"%PDF-"):
        return "RUT_NOT_PDF"
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "RUT_ENCRYPTED"
        if len(reader.pages) < 1:
            return "RUT_NOT_PDF"
        created = _creation_date(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return "RUT_NOT_PDF"
    if created is not None and created < clock.now() - timedelta(days=max_age_days):
        return "RUT_TOO_OLD"
    return None


def _creation_date(reader: Any) -> datetime | None:
    try:
        metadata = reader.metadata
        created = metadata.creation_date if metadata is not None else None
    except Exception:
        return None
    if created is None:
        return None
    from datetime import UTC

    return created if created.tzinfo else created.replace(tzinfo=UTC)


def reconcile(deps: Deps, employer: dict[str, Any]) -> dict[str, Any]:
    """A slot past its expiry (+ grace) that is still AWAITING_UPLOAD: check the key once more (the event
    may be late or lost); no object means the upload never arrived: EXPIRED."""
    current = employer.get("rut") or {}
    if current.get("status") != AWAITING_UPLOAD:
        return employer
    expires = clock.parse(str(current["expiresAt"]))
    if clock.now() < expires + EXPIRY_GRACE:
        return employer
    nit = str(employer["nit"])
    if _head(deps.settings.rut_bucket_name, str(current["key"])) is not None:
        process_upload(deps, str(current["key"]))
    else:
        try:
            deps.repository.expire_rut_slot(nit, str(current["uploadId"]), iso())
            record(deps, nit, "RUT_UPLOAD_EXPIRED", SYSTEM, {"uploadId": current["uploadId"]})
        except ConditionFailed:
            pass
    return deps.repository.employer(nit) or employer


# --- the Ministry's review -----------------------------------------------------------------------------


def review(deps: Deps, caller: Caller, nit: str, decision: str, reason: str | None, actor: Actor) -> dict[str, Any]:
    ministry.require_operator(caller, REVIEWER)  # live group, account state and TOTP (decisions 0029, 0090)
    if decision == "REJECT" and not reason:
        raise invalid([FieldError("reason", "reason_required")])
    employer = deps.repository.employer(nit)
    if not employer:
        raise not_found()
    if employer["status"] != PENDING_REVIEW:
        raise DomainError(code="RUT_NOT_IN_REVIEW", status=409, params={"status": employer["status"]})
    approved = decision == "APPROVE"
    status = DRAFT if approved else RUT_REJECTED
    try:
        deps.repository.record_rut_review(
            nit,
            employer["version"],
            status,
            APPROVED if approved else REJECTED,
            caller.username,
            None if approved else reason,
            iso(),
        )
    except ConditionFailed:
        raise DomainError(code="CONCURRENT_UPDATE", status=409) from None
    upload_id = (employer.get("rut") or {}).get("uploadId")
    record(
        deps,
        nit,
        "RUT_APPROVED" if approved else "RUT_REJECTED",
        actor,
        {"uploadId": upload_id, **({} if approved else {"reason": reason})},
    )
    _notify_review(deps, employer, approved, reason, upload_id)
    return {"nit": nit, "status": status}


def _notify_review(deps: Deps, employer: dict[str, Any], approved: bool, reason: str | None, upload_id: Any) -> None:
    username = str(employer["legalRepresentative"])
    to = person_email(deps, username)
    if not to:
        return
    document_type, _, number = username.partition("-")
    person = deps.reference.person(document_type, number)
    data = {
        "nombre": display_name(person.firstName, person.firstSurname) if person else username,
        "razonSocial": reference_business_name(deps, str(employer["nit"])),  # never the name typed at Paso 2
        "nit": str(employer["nit"]),
        "resultado": "APROBADO" if approved else "RECHAZADO",
        "motivo": reason or "-",
        "enlace": f"{deps.settings.portal_base_url}/empleadores/{employer['nit']}",
    }
    send_email(deps, "rut-review-result", to, data, f"rut-review#{employer['nit']}#{upload_id}")
