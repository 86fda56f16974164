"""Employer role (manual §5) on moto in-process, through the real lambda_handler: basic data, RUT upload and
review, delegate, headquarters, confirmation, "Actualizar datos".

This module also holds the fixtures and helpers the other test_delegation_* modules import. People and
companies come from the seed's `integration` scenario and the `free` pool (never `demo`/`e2e`).
"""

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from sat_common import clock
from tests.conftest import FakeContext, api_event
from tests.integration.conftest import create_table
from tests.integration.ministry_support import ensure_operator, people_pool

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text(encoding="utf-8"))
PEOPLE = {(p["documentType"], p["documentNumber"]): p for p in SEED["people"]}
COMPANIES = {c["nit"]: c for c in SEED["companies"]}
INTEGRATION = SEED["scenarios"]["integration"]
NEGATIVE = SEED["scenarios"]["negative"]
FREE_PEOPLE = [ref for ref in SEED["scenarios"]["free"]["people"] if ref["documentType"] == "CC"]
FREE_COMPANIES = SEED["scenarios"]["free"]["companies"]
PORTAL = "https://portal.sat-ccf.example"
START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

MAIN, REFERENCE, AUDIT, BUCKET, QUEUE = "main", "reference", "audit", "rut-bucket", "outbox"


def username(ref: dict[str, str]) -> str:
    return f"{ref['documentType']}-{ref['documentNumber']}"


def person(ref: dict[str, str]) -> dict[str, Any]:
    return PEOPLE[(ref["documentType"], ref["documentNumber"])]


def free_person(index: int) -> dict[str, str]:
    """CC adults of the free pool; delegation modules use indexes 150-199 (registration uses 0-59)."""
    return FREE_PEOPLE[150 + index]


def company(nit: str) -> dict[str, Any]:
    return COMPANIES[nit]


def basic_data(company_nit: str, **changes: Any) -> dict[str, Any]:
    found = company(company_nit)
    return {
        "nit": company_nit,
        "dv": found["dv"],
        "businessName": found["businessName"],
        "companyType": found["companyType"],
        **changes,
    }


def person_data(ref: dict[str, str], **changes: Any) -> dict[str, Any]:
    found = person(ref)
    data = {
        "documentType": found["documentType"],
        "documentNumber": found["documentNumber"],
        "firstName": found["firstName"],
        "middleName": found["middleName"],
        "firstSurname": found["firstSurname"],
        "secondSurname": found["secondSurname"],
        "email": f"corp.{found['documentNumber']}@empresa.example.com",
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


HEADQUARTERS = {
    "name": "Sede principal",
    "departmentCode": "11",
    "municipalityCode": "11001",
    "address": "Carrera 7 # 32-16",
    "postalCode": "110311",
    "phone": "6013305000",
    "email": "contacto@empresa.example.com",
    "contributorType": "1",
    "companyType": "SAS",
    "employees": 25,
    "ciiu": "6201",
    "arl": "14-4",
    "pilaOperators": ["ARUS", "ASOPAGOS"],
}


def make_pdf(created: datetime | None = None, encrypt: bool = False, pad: int = 0) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    moment = created or START - timedelta(days=30)
    writer.add_metadata({"/CreationDate": moment.strftime("D:%Y%m%d%H%M%S+00'00'"), "/Title": "RUT"})
    if encrypt:
        writer.encrypt(user_password="secreto", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    return data + b"%" + b"0" * pad if pad else data


class Api:
    """Calls the delegation lambda_handler as API Gateway would (claims of the Cognito authorizer)."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        user: str | None = None,
        query: dict[str, str] | None = None,
        ministry: bool = False,
        lang: str | None = None,
    ) -> tuple[int, Any]:
        claims = None
        if user:
            claims = {"cognito:username": user, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, user))}
            if ministry:
                claims["cognito:groups"] = "ministerio"
                ensure_operator(user, MAIN)  # /admin checks the operator live (decision 0029)
        headers = {"Accept-Language": lang} if lang else None
        event = api_event(method, path, body=body, query=query, claims=claims, headers=headers)
        response = self.handler(event, FakeContext())
        text = response.get("body") or ""
        return response["statusCode"], json.loads(text) if text else None


class Env:
    def __init__(self, api: Api, handler_module: Any) -> None:
        self.api = api
        self.module = handler_module
        self.table = boto3.resource("dynamodb").Table(MAIN)
        self.s3 = boto3.client("s3")
        self.sqs = boto3.client("sqs")
        self.queue_url = self.sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]

    # --- state helpers -------------------------------------------------------------------------
    def item(self, pk: str, sk: str) -> dict[str, Any] | None:
        from sat_common.items import plain

        found = self.table.get_item(Key={"PK": pk, "SK": sk}).get("Item")
        return plain(found) if found else None

    def employer(self, nit: str) -> dict[str, Any]:
        found = self.item(f"EMPLOYER#{nit}", "PROFILE")
        assert found is not None
        return found

    def role(self, user: str, role: str, nit: str) -> dict[str, Any] | None:
        return self.item(f"PERSON#{user}", f"ROLE#{role}#{nit}")

    def active_roles(self, user: str) -> list[tuple[str, str | None, str | None]]:
        """What GET /me/roles lists from the stored items (ROLE# items with status ACTIVE)."""
        items = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
            ExpressionAttributeValues={":pk": f"PERSON#{user}", ":r": "ROLE#"},
        )["Items"]
        return sorted(
            (i["role"], i.get("nit"), i.get("profile")) for i in items if i.get("status", "ACTIVE") == "ACTIVE"
        )

    def register_account(self, ref: dict[str, str]) -> str:
        """What the registration area leaves for a registered person (ACCOUNT ACTIVE, PROFILE e-mail)."""
        user = username(ref)
        self.table.put_item(Item={"PK": f"PERSON#{user}", "SK": "ACCOUNT", "status": "ACTIVE"})
        self.table.put_item(
            Item={"PK": f"PERSON#{user}", "SK": "PROFILE", "email": person(ref)["email"], "username": user}
        )
        return user

    def activate_ccf(self, nit: str) -> None:
        """The catalog area's POST /admin/ccfs record (the Ministry's CCF activation), written directly."""
        self.table.put_item(Item={"PK": f"CCF#{nit}", "SK": "ACTIVATION", "status": "ACTIVE", "nit": nit})

    def emails(self) -> list[dict[str, Any]]:
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for message in got:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def audit(self, nit: str) -> list[str]:
        items = (
            boto3.resource("dynamodb")
            .Table(AUDIT)
            .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#EMPLOYER#{nit}"})[
                "Items"
            ]
        )
        return [item["action"] for item in items]

    # --- RUT upload: what the client's presigned POST + the S3 notification do -------------------
    def upload(self, slot: dict[str, Any], data: bytes, deliver: bool = True) -> dict[str, Any]:
        key = slot["fields"]["key"]
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType="application/pdf")
        return self.deliver(key) if deliver else {}

    def deliver(self, key: str) -> dict[str, Any]:
        from urllib.parse import quote_plus

        body = {"Records": [{"eventName": "ObjectCreated:Post", "s3": {"object": {"key": quote_plus(key)}}}]}
        event = {"Records": [{"messageId": str(uuid.uuid4()), "body": json.dumps(body), "eventSource": "aws:sqs"}]}
        result: dict[str, Any] = self.module.lambda_handler(event, FakeContext())
        return result

    def versions(self, key: str) -> list[dict[str, Any]]:
        listed = self.s3.list_object_versions(Bucket=BUCKET, Prefix=key)
        return [v for v in listed.get("Versions", []) if v["Key"] == key]

    # --- flows -------------------------------------------------------------------------------------
    def register_company(self, nit: str, rep: dict[str, str]) -> str:
        user = username(rep)
        status, body = self.api("POST", "/employers", basic_data(nit), user=user)
        assert status == 201, body
        return user

    def confirmed_company(self, nit: str, rep: dict[str, str], delegate: dict[str, str]) -> tuple[str, str]:
        user = self.register_company(nit, rep)
        assert self.api("PUT", f"/employers/{nit}/delegate", person_data(delegate), user=user)[0] == 200
        assert self.api("PUT", f"/employers/{nit}/headquarters", HEADQUARTERS, user=user)[0] == 200
        status, body = self.api("POST", f"/employers/{nit}/confirmation", user=user)
        assert status == 200, body
        return user, username(delegate)


_REFERENCE_ITEMS: list[dict[str, Any]] = []
FREE_PEOPLE_USED = 30  # free_person(0..29)
FREE_COMPANIES_USED = 10  # FREE_COMPANIES[0..9]


@pytest.fixture(name="env")
def delegation_env(moto, monkeypatch):
    create_table(MAIN, gsis=2)
    create_table(REFERENCE)
    create_table(AUDIT)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    queue_url = boto3.client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]
    if not _REFERENCE_ITEMS:
        from sat_common.reference.seed import items_from_seed

        # Only the people these modules use (and every company): seeding all 300 people slows each test.
        refs = [
            *(value for value in INTEGRATION.values() if isinstance(value, dict)),
            NEGATIVE["inactiveCompanyLegalRepresentative"],
            *(free_person(index) for index in range(FREE_PEOPLE_USED)),
            *(entry["legalRepresentative"] for entry in FREE_COMPANIES[:FREE_COMPANIES_USED]),
        ]
        people = [person(ref) for ref in refs]
        _REFERENCE_ITEMS.extend(items_from_seed({"people": people, "companies": SEED["companies"]}))
    reference = boto3.client("dynamodb")
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    for start in range(0, len(_REFERENCE_ITEMS), 25):
        reference.batch_write_item(
            RequestItems={
                REFERENCE: [
                    {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items()}}}
                    for item in _REFERENCE_ITEMS[start : start + 25]
                ]
            }
        )
    for name, value in {
        "MAIN_TABLE_NAME": MAIN,
        "REFERENCE_TABLE_NAME": REFERENCE,
        "AUDIT_TABLE_NAME": AUDIT,
        "RUT_BUCKET_NAME": BUCKET,
        "OUTBOX_QUEUE_URL": queue_url,
        "PORTAL_BASE_URL": PORTAL,
    }.items():
        monkeypatch.setenv(name, value)
    people_pool(monkeypatch)
    from delegation import config, handler

    config.settings.cache_clear()
    config.deps.cache_clear()
    clock.freeze(START)
    try:
        yield Env(Api(handler.lambda_handler), handler)
    finally:
        clock.reset()
        config.settings.cache_clear()
        config.deps.cache_clear()


LEGAL_REP = INTEGRATION["legalRepresentative"]
CCF_NIT = INTEGRATION["ccfNit"]
DELEGATE = INTEGRATION["delegate"]
MISMATCH_NIT = INTEGRATION["mismatchCompanyNit"]
MISMATCH_REP = INTEGRATION["mismatchLegalRepresentative"]


# --- Paso 2: basic data ---------------------------------------------------------------------------------


def test_matching_company_is_draft_then_confirmed_with_roles_and_email(env):
    rep = username(LEGAL_REP)
    env.register_account(LEGAL_REP)
    delegate = env.register_account(DELEGATE)
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=rep)
    assert (status, body) == (201, {"nit": CCF_NIT, "status": "DRAFT", "upload": None})
    assert env.role(rep, "EMPLEADOR_PERSONA_JURIDICA", CCF_NIT)["status"] == "PENDING_CONFIRMATION"
    assert env.active_roles(rep) == []  # nothing in /me/roles before the confirmation

    status, view = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(DELEGATE), user=rep)
    assert status == 200 and view["registered"] is True and view["roleStatus"] == "PENDING_CONFIRMATION"
    status, saved = env.api("PUT", f"/employers/{CCF_NIT}/headquarters", HEADQUARTERS, user=delegate)
    assert status == 200 and saved["phone"] == "+576013305000"
    env.emails()  # nothing else so far: the delegate is registered (no invitation)

    status, body = env.api("POST", f"/employers/{CCF_NIT}/confirmation", user=rep)
    assert (status, body) == (200, {"nit": CCF_NIT, "status": "REGISTERED"})
    employer_role = ("EMPLEADOR_PERSONA_JURIDICA", CCF_NIT)
    assert env.active_roles(rep) == [(*employer_role, "REPRESENTANTE_LEGAL")]
    assert env.active_roles(delegate) == [(*employer_role, "DELEGADO")]
    grant = env.role(rep, "EMPLEADOR_PERSONA_JURIDICA", CCF_NIT)
    assert grant["name"] == "Empleador persona jurídica" and grant["businessName"] == company(CCF_NIT)["businessName"]
    mails = env.emails()
    assert [(m["template"], m["to"]) for m in mails] == [("employer-confirmation", HEADQUARTERS["email"])]
    assert set(mails[0]["data"]) == {"nombre", "razonSocial", "nit", "enlace"}
    assert env.employer(CCF_NIT)["status"] == "REGISTERED"

    status, view = env.api("GET", f"/employers/{CCF_NIT}", user=delegate)
    assert status == 200 and view["yourProfile"] == "DELEGADO" and view["confirmedAt"]
    assert view["delegate"]["roleStatus"] == "ACTIVE" and view["headquarters"]["pilaOperators"] == ["ARUS", "ASOPAGOS"]
    assert env.api("POST", f"/employers/{CCF_NIT}/confirmation", user=rep)[1]["code"] == "EMPLOYER_ALREADY_CONFIRMED"
    assert env.audit(CCF_NIT) == ["EMPLOYER_CREATED", "DELEGATE_NAMED", "HEADQUARTERS_SAVED", "EMPLOYER_CONFIRMED"]


def test_only_the_legal_representative_of_the_reference_source_may_register(env):
    other = username(free_person(0))
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=other)
    assert (status, body["code"]) == (403, "NOT_LEGAL_REPRESENTATIVE")
    assert "representante legal" in body["detail"]
    # a NIT the business source does not know: nobody is its legal representative
    status, body = env.api("POST", "/employers", {**basic_data(CCF_NIT), "nit": "900000016", "dv": "2"}, user=other)
    assert status in (403, 422)
    assert env.api("POST", "/employers", basic_data(CCF_NIT))[0] == 401
    assert env.item(f"EMPLOYER#{CCF_NIT}", "PROFILE") is None


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"dv": "0"}, "dv", "dígito de verificación"),
        ({"nit": "89878101A"}, "nit", "9 dígitos"),
        ({"nit": "8987810"}, "nit", "9 dígitos"),
        ({"nit": "898.781.019"}, "nit", "9 dígitos"),
        ({"dv": "12"}, "dv", "un solo dígito"),
        ({"companyType": "XYZ"}, "companyType", "catálogo company-types"),
        ({"extra": 1}, "extra", "no está permitido"),
    ],
)
def test_basic_data_errors_name_the_field_in_spanish(env, changes, field, fragment):
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT, **changes), user=username(LEGAL_REP))
    assert status == 422 and body["code"] == "VALIDATION_FAILED"
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert field in messages and fragment in messages[field], messages


def test_field_messages_in_english_on_request(env):
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT, dv="0"), user=username(LEGAL_REP), lang="en")
    assert status == 422 and body["errors"][0]["message"] == "The check digit does not match the NIT."


def test_a_company_is_registered_once(env):
    env.register_company(CCF_NIT, LEGAL_REP)
    status, body = env.api("POST", "/employers", basic_data(CCF_NIT), user=username(LEGAL_REP))
    assert (status, body["code"]) == (409, "EMPLOYER_ALREADY_EXISTS")


def test_an_inactive_company_cannot_register(env):
    nit = NEGATIVE["inactiveCompanyNit"]
    status, body = env.api(
        "POST", "/employers", basic_data(nit), user=username(NEGATIVE["inactiveCompanyLegalRepresentative"])
    )
    assert (status, body["code"]) == (409, "COMPANY_NOT_ACTIVE")


# --- RUT upload and review ----------------------------------------------------------------------------


def _mismatch(env) -> tuple[str, dict[str, Any]]:
    rep = username(MISMATCH_REP)
    env.register_account(MISMATCH_REP)
    status, body = env.api(
        "POST", "/employers", basic_data(MISMATCH_NIT, businessName=INTEGRATION["mismatchBusinessName"]), user=rep
    )
    assert status == 201 and body["status"] == "RUT_REQUIRED", body
    return rep, body["upload"]


def test_mismatch_requires_the_rut_then_the_ministry_approves(env):
    rep, slot = _mismatch(env)
    assert slot["method"] == "POST" and slot["maxBytes"] == 1_048_576 and slot["contentType"] == "application/pdf"
    key = slot["fields"]["key"]
    assert key.startswith(f"rut/{MISMATCH_NIT}/") and key.endswith(".pdf") and slot["uploadId"] in key
    assert slot["fields"]["Content-Type"] == "application/pdf"
    policy = json.loads(__import__("base64").b64decode(slot["fields"]["policy"]))
    assert ["content-length-range", 1, 1048576] in policy["conditions"]
    assert datetime.fromisoformat(slot["expiresAt"].replace("Z", "+00:00")) == START + timedelta(minutes=10)

    status, body = env.api("POST", f"/employers/{MISMATCH_NIT}/confirmation", user=rep)
    assert (status, body["code"], body["missingSteps"]) == (
        409,
        "EMPLOYER_STEPS_MISSING",
        ["rut", "delegate", "headquarters"],
    )
    assert "rut, delegate, headquarters" in body["detail"]

    assert env.upload(slot, make_pdf()) == {"batchItemFailures": []}
    employer = env.employer(MISMATCH_NIT)
    assert employer["status"] == "PENDING_REVIEW" and employer["rut"]["status"] == "UPLOADED"
    status, body = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert (status, body["code"]) == (409, "RUT_ALREADY_UPLOADED")

    ministry = "CC-1000000001"
    status, body = env.api(
        "POST", f"/admin/employers/{MISMATCH_NIT}/rut-review", {"decision": "APPROVE"}, user=ministry, ministry=True
    )
    assert (status, body) == (200, {"nit": MISMATCH_NIT, "status": "DRAFT"})
    mails = env.emails()
    assert [(m["template"], m["to"]) for m in mails] == [("rut-review-result", person(MISMATCH_REP)["email"])]
    assert mails[0]["data"]["resultado"] == "APROBADO"
    status, view = env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)
    assert view["status"] == "DRAFT" and view["rut"]["status"] == "APPROVED" and view["referenceMatch"] is False
    status, body = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert (status, body["code"]) == (409, "RUT_NOT_REQUIRED")
    assert env.audit(MISMATCH_NIT) == ["EMPLOYER_CREATED", "RUT_SLOT_ISSUED", "RUT_UPLOADED", "RUT_APPROVED"]


@pytest.mark.parametrize(
    ("data", "code", "fragment"),
    [
        (make_pdf(pad=1_048_576), "RUT_TOO_LARGE", "tamaño máximo"),
        (b"PK\x03\x04 a zip, not a pdf" * 10, "RUT_NOT_PDF", "no es un PDF"),
        (b"%PDF-1.7\n garbage without objects", "RUT_NOT_PDF", "no es un PDF"),
        (make_pdf(encrypt=True), "RUT_ENCRYPTED", "contraseña"),
        (make_pdf(created=START - timedelta(days=400)), "RUT_TOO_OLD", "un año"),
    ],
)
def test_a_bad_file_is_rejected_with_its_reason_and_deleted(env, data, code, fragment):
    rep, slot = _mismatch(env)
    env.upload(slot, data)
    employer = env.employer(MISMATCH_NIT)
    assert employer["status"] == "RUT_REQUIRED" and employer["rut"]["status"] == "FILE_REJECTED"
    assert env.versions(slot["fields"]["key"]) == []  # the file is gone, not only hidden
    status, view = env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)
    assert view["rut"]["rejectionCode"] == code and fragment in view["rut"]["rejection"]
    assert "RUT_FILE_REJECTED" in env.audit(MISMATCH_NIT)
    # a new slot, then a good file
    status, new_slot = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert status == 201 and new_slot["uploadId"] != slot["uploadId"]
    env.upload(new_slot, make_pdf())
    assert env.employer(MISMATCH_NIT)["status"] == "PENDING_REVIEW"


def test_a_pdf_without_a_creation_date_is_accepted_for_the_reviewer(env):
    from pypdf import PdfWriter

    from delegation.rut import check_pdf

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    out = io.BytesIO()
    writer.write(out)
    assert check_pdf(out.getvalue(), 365) is None


def test_an_upload_that_never_arrives_expires_and_a_new_slot_can_be_asked(env):
    rep, slot = _mismatch(env)
    clock.advance(timedelta(minutes=10, seconds=30))  # expired, but within the grace period
    assert env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)[1]["rut"]["status"] == "AWAITING_UPLOAD"
    clock.advance(timedelta(minutes=1))
    status, view = env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)
    assert view["status"] == "RUT_REQUIRED" and view["rut"]["status"] == "EXPIRED"
    assert view["rut"]["rejectionCode"] == "RUT_UPLOAD_EXPIRED"
    assert "RUT_UPLOAD_EXPIRED" in env.audit(MISMATCH_NIT)
    status, new_slot = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert status == 201
    # a late file on the expired slot is discarded
    env.upload(slot, make_pdf())
    assert env.versions(slot["fields"]["key"]) == []
    assert env.employer(MISMATCH_NIT)["rut"]["uploadId"] == new_slot["uploadId"]


def test_a_lost_event_is_caught_up_when_the_company_is_read(env):
    rep, slot = _mismatch(env)
    env.upload(slot, make_pdf(), deliver=False)
    clock.advance(timedelta(minutes=12))
    assert env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)[1]["status"] == "PENDING_REVIEW"


def test_a_second_upload_on_a_used_slot_is_discarded_and_the_first_file_kept(env):
    _rep, slot = _mismatch(env)
    first = make_pdf()
    env.upload(slot, first)
    env.upload(slot, make_pdf(encrypt=True))  # same presigned POST, used again
    key = slot["fields"]["key"]
    assert env.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == first
    assert env.employer(MISMATCH_NIT)["status"] == "PENDING_REVIEW"
    assert env.audit(MISMATCH_NIT).count("RUT_UPLOAD_DISCARDED") == 1
    assert env.deliver(key) == {"batchItemFailures": []}  # a duplicate event changes nothing
    assert env.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == first


def test_a_file_on_a_replaced_slot_is_discarded(env):
    rep, old = _mismatch(env)
    status, new = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert status == 201
    env.upload(old, make_pdf())
    assert env.versions(old["fields"]["key"]) == []
    assert env.employer(MISMATCH_NIT)["status"] == "RUT_REQUIRED"
    env.upload(new, make_pdf())
    assert env.employer(MISMATCH_NIT)["status"] == "PENDING_REVIEW"


def test_the_ministry_rejects_with_a_reason_and_the_rut_can_be_uploaded_again(env):
    rep, slot = _mismatch(env)
    env.upload(slot, make_pdf())
    ministry = "CC-1000000001"
    path = f"/admin/employers/{MISMATCH_NIT}/rut-review"
    status, body = env.api("POST", path, {"decision": "REJECT"}, user=ministry, ministry=True)
    assert status == 422 and body["errors"][0]["field"] == "reason"
    assert env.api("POST", path, {"decision": "MAYBE"}, user=ministry, ministry=True)[0] == 422
    reason = "La hoja 3 no muestra la representación legal"
    status, body = env.api("POST", path, {"decision": "REJECT", "reason": reason}, user=ministry, ministry=True)
    assert (status, body["status"]) == (200, "RUT_REJECTED")
    mail = env.emails()[0]
    assert mail["template"] == "rut-review-result" and mail["data"]["motivo"] == reason
    status, view = env.api("GET", f"/employers/{MISMATCH_NIT}", user=rep)
    assert view["rut"]["rejection"] == reason and view["rut"]["rejectionCode"] == "MINISTRY_REJECTED"
    status, body = env.api("POST", path, {"decision": "APPROVE"}, user=ministry, ministry=True)
    assert (status, body["code"]) == (409, "RUT_NOT_IN_REVIEW")
    status, _new_slot = env.api("POST", f"/employers/{MISMATCH_NIT}/rut", user=rep)
    assert status == 201 and env.employer(MISMATCH_NIT)["status"] == "RUT_REQUIRED"
    status, body = env.api(
        "POST", "/admin/employers/999999999/rut-review", {"decision": "APPROVE"}, user=ministry, ministry=True
    )
    assert status == 404


def test_s3_test_event_and_foreign_keys_are_ignored(env):
    event = {"Records": [{"messageId": "m1", "body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})}]}
    assert env.module.lambda_handler(event, FakeContext()) == {"batchItemFailures": []}
    assert env.deliver("other/file.pdf") == {"batchItemFailures": []}
    broken = {"Records": [{"messageId": "m2", "body": "{not json"}]}
    assert env.module.lambda_handler(broken, FakeContext()) == {"batchItemFailures": [{"itemIdentifier": "m2"}]}


# --- Paso 3: delegate ---------------------------------------------------------------------------------


def test_an_unregistered_delegate_is_invited_and_gets_the_role_once_registered(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    invited = free_person(0)
    status, view = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(invited), user=rep)
    assert status == 200 and view["registered"] is False
    mails = env.emails()
    assert [(m["template"], m["to"]) for m in mails] == [("delegate-invitation", person_data(invited)["email"])]
    assert set(mails[0]["data"]) == {"nombre", "razonSocial", "nit", "enlace"}
    assert "DELEGATE_INVITED" in env.audit(CCF_NIT)
    env.api("PUT", f"/employers/{CCF_NIT}/headquarters", HEADQUARTERS, user=rep)
    assert env.api("POST", f"/employers/{CCF_NIT}/confirmation", user=rep)[0] == 200
    # The grant is keyed by the username: it appears in /me/roles and works once that person has registered
    # and signs in (registration verifies the identity; decision 0030).
    env.register_account(invited)
    delegate = username(invited)
    assert env.active_roles(delegate) == [("EMPLEADOR_PERSONA_JURIDICA", CCF_NIT, "DELEGADO")]
    assert env.api("GET", f"/employers/{CCF_NIT}", user=delegate)[0] == 200


def test_delegate_data_must_match_the_identity_source(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    data = person_data(free_person(1), firstName="Otro")
    status, body = env.api("PUT", f"/employers/{CCF_NIT}/delegate", data, user=rep)
    assert (status, body["code"]) == (422, "PERSON_NOT_VERIFIED")
    unknown = {**person_data(free_person(1)), "documentNumber": "1999999999"}
    assert env.api("PUT", f"/employers/{CCF_NIT}/delegate", unknown, user=rep)[1]["code"] == "PERSON_NOT_VERIFIED"
    assert env.emails() == [] and "delegate" not in env.employer(CCF_NIT)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documentType": "NI"}, "documentType"),
        ({"documentNumber": "12AB"}, "documentNumber"),
        ({"email": "no-es-correo"}, "email"),
        ({"firstName": "Ana3"}, "firstName"),
    ],
)
def test_delegate_field_errors(env, changes, field):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    status, body = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(DELEGATE, **changes), user=rep)
    assert status == 422 and field in {error["field"] for error in body["errors"]}


def test_the_legal_representative_cannot_be_the_delegate(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    status, body = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(LEGAL_REP), user=rep)
    assert status == 422 and body["errors"][0]["field"] == "documentNumber"


def test_replacing_the_delegate_revokes_the_previous_one_at_once(env):
    rep, first = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    assert env.api("GET", f"/employers/{CCF_NIT}", user=first)[0] == 200
    second = free_person(2)
    status, view = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(second), user=rep)
    assert status == 200 and view["roleStatus"] == "ACTIVE"  # the company is registered: effective at once
    assert env.role(first, "EMPLEADOR_PERSONA_JURIDICA", CCF_NIT)["status"] == "REVOKED"
    assert env.active_roles(first) == []
    assert env.api("GET", f"/employers/{CCF_NIT}", user=first)[0] == 404
    assert env.active_roles(username(second)) == [("EMPLEADOR_PERSONA_JURIDICA", CCF_NIT, "DELEGADO")]
    assert "DELEGATE_REVOKED" in env.audit(CCF_NIT)
    # only the legal representative names the delegate
    status, body = env.api("PUT", f"/employers/{CCF_NIT}/delegate", person_data(DELEGATE), user=username(second))
    assert (status, body["code"]) == (403, "LEGAL_REPRESENTATIVE_ONLY")


# --- Paso 4: headquarters, "Actualizar datos" ------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"municipalityCode": "05001"}, "municipalityCode", "no pertenece al departamento"),
        ({"municipalityCode": "99999"}, "municipalityCode", "catálogo municipalities"),
        ({"departmentCode": "00"}, "departmentCode", "catálogo departments"),
        ({"postalCode": "050001"}, "postalCode", "código del departamento (11)"),
        ({"postalCode": "11031"}, "postalCode", "6 dígitos"),
        ({"phone": "12345"}, "phone", "teléfono fijo"),
        ({"phone": "3001234567"}, "phone", "teléfono fijo"),
        ({"email": "contacto@"}, "email", "correo electrónico"),
        ({"contributorType": "99"}, "contributorType", "contributor-types"),
        ({"companyType": "XX"}, "companyType", "company-types"),
        ({"ciiu": "9999"}, "ciiu", "catálogo ciiu"),
        ({"ciiu": "0010"}, "ciiu", "catálogo ciiu"),
        ({"arl": "nope"}, "arl", "catálogo arl"),
        ({"pilaOperators": []}, "pilaOperators", "pocos elementos"),
        ({"pilaOperators": ["ARUS", "ARUS"]}, "pilaOperators", "repetidos"),
        ({"pilaOperators": ["NOPE"]}, "pilaOperators", "pila-operators"),
        ({"employees": 0}, "employees", "mayor o igual a 1"),
        ({"name": None}, "name", ""),
    ],
)
def test_headquarters_errors_name_the_field(env, changes, field, fragment):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    data = {key: value for key, value in {**HEADQUARTERS, **changes}.items() if value is not None}
    status, body = env.api("PUT", f"/employers/{CCF_NIT}/headquarters", data, user=rep)
    assert status == 422, body
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert field in messages and fragment in messages[field], messages


def test_patch_updates_some_fields_and_revalidates_the_whole(env):
    rep, delegate = env.confirmed_company(CCF_NIT, LEGAL_REP, DELEGATE)
    status, view = env.api("PATCH", f"/employers/{CCF_NIT}", {"employees": 40, "arl": "14-8"}, user=delegate)
    assert status == 200 and view["headquarters"]["employees"] == 40 and view["headquarters"]["arl"] == "14-8"
    assert view["headquarters"]["name"] == HEADQUARTERS["name"]
    status, body = env.api("PATCH", f"/employers/{CCF_NIT}", {"municipalityCode": "05001"}, user=rep)
    assert status == 422 and body["errors"][0]["field"] == "municipalityCode"
    status, body = env.api("PATCH", f"/employers/{CCF_NIT}", {}, user=rep)
    assert status == 422
    assert env.api("PATCH", f"/employers/{CCF_NIT}", {"businessName": "Otra"}, user=rep)[0] == 422
    assert env.audit(CCF_NIT).count("EMPLOYER_UPDATED") == 1


def test_patch_before_the_headquarters_step_needs_every_field(env):
    rep = env.register_company(CCF_NIT, LEGAL_REP)
    status, body = env.api("PATCH", f"/employers/{CCF_NIT}", {"employees": 3}, user=rep)
    assert status == 422 and "name" in {error["field"] for error in body["errors"]}


def test_roles_per_company_for_a_person_of_several_companies(env):
    """A delegate of one company who is also delegate of another sees both roles; each NIT is checked."""
    first, second = FREE_COMPANIES[3], FREE_COMPANIES[4]
    delegate = free_person(3)
    env.register_account(delegate)
    env.confirmed_company(first["nit"], first["legalRepresentative"], delegate)
    env.confirmed_company(second["nit"], second["legalRepresentative"], delegate)
    user = username(delegate)
    assert env.active_roles(user) == sorted(
        ("EMPLEADOR_PERSONA_JURIDICA", nit, "DELEGADO") for nit in (first["nit"], second["nit"])
    )
    # the first company's legal representative does not reach the second company
    assert env.api("GET", f"/employers/{second['nit']}", user=username(first["legalRepresentative"]))[0] == 404
