"""The employer role, delegate and authorized persons over the local runtime (real HTTP, API Gateway
emulation, Cognito authorizer, S3 presigned POST on the moto server, S3 -> SQS -> delegation function,
outbox -> SES -> mailbox).

People register through the HTTP registration flow (local/journeys.py: basic data, identity questions,
contact, the welcome e-mail's link, password) and sign in with POST /sessions; the delegate is named
before registering and gets the role when they do. Uses the seed's `e2e` scenario only.
"""

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from local import journeys

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text(encoding="utf-8"))
PEOPLE = {(p["documentType"], p["documentNumber"]): p for p in SEED["people"]}
COMPANIES = {c["nit"]: c for c in SEED["companies"]}
E2E = SEED["scenarios"]["e2e"]
PASSWORD = "Caminos de herradura en Boyacá 2026"
PARALLEL = 20


def person(ref: dict[str, str]) -> dict[str, Any]:
    return PEOPLE[(ref["documentType"], ref["documentNumber"])]


def username(ref: dict[str, str]) -> str:
    return f"{ref['documentType']}-{ref['documentNumber']}"


def person_data(ref: dict[str, str], email: str) -> dict[str, Any]:
    found = person(ref)
    data = {key: found[key] for key in ("documentType", "documentNumber", "firstName", "middleName", "firstSurname")}
    data["secondSurname"] = found["secondSurname"]
    return {**{k: v for k, v in data.items() if v is not None}, "email": email}


HEADQUARTERS = {
    "name": "Sede principal",
    "departmentCode": "05",
    "municipalityCode": "05001",
    "address": "Calle 50 # 45-20",
    "postalCode": "050010",
    "phone": "6044445566",
    "email": "e2e.empleador@empresa.example.com",
    "contributorType": "1",
    "companyType": "CCF",
    "employees": 120,
    "ciiu": "8430",
    "arl": "14-4",
    "pilaOperators": ["ARUS"],
}


class World:
    def __init__(self, runtime: dict[str, Any], api: httpx.Client) -> None:
        self.runtime, self.api = runtime, api
        self.login = runtime["ministry_login"]
        self.mailbox = journeys.Mailbox(runtime["mailbox_url"])

    def register(self, ref: dict[str, str]) -> None:
        """Registro de ciudadano, Pasos 2–6, over HTTP (local/journeys.py)."""
        journeys.register_citizen(self.api, self.mailbox, person(ref), PASSWORD)

    def token(self, user: str, password: str = PASSWORD) -> dict[str, str]:
        document_type, number = user.split("-", 1)
        session = journeys.sign_in(self.api, {"documentType": document_type, "documentNumber": number}, password)
        return journeys.bearer(session)

    def ministry(self) -> dict[str, str]:
        return journeys.bearer(journeys.ministry_session(self.api, self.login))

    def mail(self, to: str, template_words: str, timeout: float = journeys.PATIENCE) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for mail in self.api.get("/_local/mailbox", params={"to": to}).json():
                if template_words in mail["subject"] + mail["text"]:
                    return mail
            time.sleep(0.3)
        raise AssertionError(f"no e-mail with {template_words!r}")

    def wait_status(
        self, nit: str, headers: dict[str, str], wanted: str, timeout: float = journeys.PATIENCE
    ) -> dict[str, Any]:
        deadline = time.time() + timeout
        body: dict[str, Any] = {}
        while time.time() < deadline:
            body = self.api.get(f"/employers/{nit}", headers=headers).json()
            if body.get("status") == wanted or (body.get("rut") or {}).get("status") == wanted:
                return body
            time.sleep(0.3)
        raise AssertionError(f"{nit} never reached {wanted}: {body}")


@pytest.fixture(scope="module")
def world(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as client:
        yield World(local_runtime, client)


def test_routes_are_served(local_runtime):
    assert "POST /employers" in local_runtime["routes"]
    assert "POST /admin/employers/{nit}/rut-review" in local_runtime["routes"]


def test_company_needing_the_rut_upload_and_the_ministrys_review(world):
    nit, ref = E2E["mismatchCompanyNit"], E2E["mismatchLegalRepresentative"]
    world.register(ref)
    headers = world.token(username(ref))
    found = COMPANIES[nit]
    body = {
        "nit": nit,
        "dv": found["dv"],
        "businessName": E2E["mismatchBusinessName"],
        "companyType": found["companyType"],
    }
    resp = world.api.post("/employers", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "RUT_REQUIRED"
    slot = resp.json()["upload"]

    # a file that is not a PDF: posted to S3 (moto does not enforce the policy), then refused and deleted
    sent = httpx.post(slot["url"], data=slot["fields"], files={"file": ("rut.pdf", b"not a pdf", "application/pdf")})
    assert sent.status_code in (200, 201, 204), sent.text
    view = world.wait_status(nit, headers, "FILE_REJECTED")
    assert view["rut"]["rejectionCode"] == "RUT_NOT_PDF" and "PDF" in view["rut"]["rejection"]

    resp = world.api.post(f"/employers/{nit}/rut", headers=headers)
    assert resp.status_code == 201
    slot = resp.json()
    assert journeys.upload_rut(slot, journeys.rut_pdf()) in (200, 201, 204)
    world.wait_status(nit, headers, "PENDING_REVIEW")

    resp = world.api.post(f"/admin/employers/{nit}/rut-review", json={"decision": "APPROVE"}, headers=headers)
    assert resp.status_code == 403
    resp = world.api.post(f"/admin/employers/{nit}/rut-review", json={"decision": "APPROVE"}, headers=world.ministry())
    assert resp.status_code == 200 and resp.json()["status"] == "DRAFT"
    mail = world.mail(person(ref)["email"], "APROBADO")
    assert found["businessName"].split()[0] in mail["text"] or nit in mail["text"]


def test_company_matching_the_reference_delegate_ccf_and_authorized_person(world):
    nit, rep_ref, delegate_ref = E2E["ccfNit"], E2E["legalRepresentative"], E2E["delegate"]
    world.register(rep_ref)
    rep = world.token(username(rep_ref))
    found = COMPANIES[nit]
    body = {"nit": nit, "dv": found["dv"], "businessName": found["businessName"], "companyType": found["companyType"]}
    resp = world.api.post("/employers", json=body, headers=rep)
    assert resp.status_code == 201 and resp.json() == {"nit": nit, "status": "DRAFT", "upload": None}

    # Paso 3: the delegate is not registered: invitation e-mail
    corporate = "e2e.delegado@empresa.example.com"
    resp = world.api.put(f"/employers/{nit}/delegate", json=person_data(delegate_ref, corporate), headers=rep)
    assert resp.status_code == 200 and resp.json()["registered"] is False
    world.mail(corporate, found["businessName"])

    # Paso 4 and confirmation
    early = world.api.post(f"/employers/{nit}/confirmation", headers=rep)
    assert early.status_code == 409 and early.json()["missingSteps"] == ["headquarters"]
    assert world.api.put(f"/employers/{nit}/headquarters", json=HEADQUARTERS, headers=rep).status_code == 200
    resp = world.api.post(f"/employers/{nit}/confirmation", headers=rep)
    assert resp.status_code == 200 and resp.json()["status"] == "REGISTERED"
    world.mail(HEADQUARTERS["email"], "confirmado")

    # the delegate registers from the invitation and signs in: the role works
    world.register(delegate_ref)
    delegate = world.token(username(delegate_ref))
    resp = world.api.get(f"/employers/{nit}", headers=delegate)
    assert resp.status_code == 200 and resp.json()["yourProfile"] == "DELEGADO"
    if "GET /me/roles" in world.runtime["routes"]:
        roles = world.api.get("/me/roles", headers=delegate).json()["roles"]
        assert any(r["role"] == "EMPLEADOR_PERSONA_JURIDICA" and r["nit"] == nit for r in roles)

    # before the Ministry activates the CCF role, the authorization is refused
    authorized_ref = E2E["authorized"]
    new = {
        **person_data(authorized_ref, "e2e.autorizado@empresa.example.com"),
        "office": "Sede principal",
        "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
        "profile": "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS",
    }
    resp = world.api.post(f"/employers/{nit}/authorizations", json=new, headers=delegate)
    assert resp.status_code == 409 and resp.json()["code"] == "CCF_ROLE_NOT_ACTIVE"

    assert "POST /admin/ccfs" in world.runtime["routes"], "POST /admin/ccfs (§6) is not in the template"
    resp = world.api.post("/admin/ccfs", json={"nit": nit}, headers=world.ministry())
    assert resp.status_code == 201, resp.text

    # Once only, as DynamoDB guarantees it: 20 identical requests at once from both managers, one 201.
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        answers = list(
            pool.map(
                lambda i: world.api.post(f"/employers/{nit}/authorizations", json=new, headers=(delegate, rep)[i % 2]),
                range(PARALLEL),
            )
        )
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {201: 1, 409: PARALLEL - 1}, [answer.text for answer in answers if answer.status_code != 409]
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {"ALREADY_AUTHORIZED"}
    listed = world.api.get(f"/employers/{nit}/authorizations", headers=rep).json()["items"]
    assert [item["documentNumber"] for item in listed] == [authorized_ref["documentNumber"]]
    world.mail("e2e.autorizado@empresa.example.com", "CAJA DE SUBSIDIO FAMILIAR")
