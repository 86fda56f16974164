"""The Ministry's RUT review queue and CCF suspension over the local runtime (decisions 0092, 0093):

- a legal representative registers (HTTP journey), types a business name the reference source does not have,
  uploads the RUT through the presigned POST; the reviewer finds the company in GET /admin/employers (oldest
  first), reads it next to the reference source, and opens the PDF: the presigned GET, fetched like a browser
  would, answers the uploaded bytes as application/pdf;
- the catalog operator suspends a CCF: its system gets `invalid_client`, its token already in API Gateway's
  authorizer cache is refused once the cache entry expires (the bound of docs/security.md, polled with a generous
  deadline), its authorized person gets 403 CCF_SUSPENDED with the reason; reactivation restores the same
  Client ID and password.

Reserved seed data (no other module uses them): the 10th-from-last free non-CCF company and its legal
representative; the 11th-from-last free non-CCF company as the CCF (POST /admin/ccfs asks only for a REGISTERED
employer); FREE["people"][-130] as its authorized person.
"""

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from local import exchange_journey, journeys
from tests.e2e.test_ccf_catalog_e2e import client, main_table

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEED = json.loads((ROOT / "local/seed/reference-data.json").read_text(encoding="utf-8"))
FREE = SEED["scenarios"]["free"]
COMPANY = [c for c in FREE["companies"] if not c["isCcf"]][-10]
CCF_NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][
    -11
]  # the 3 free CCFs are taken; any company can be one
AUTHORIZED = FREE["people"][-130]
AUTHORIZED_USER = f"{AUTHORIZED['documentType']}-{AUTHORIZED['documentNumber']}"
PASSWORD = "Caminos reales del Quindío 2026"
CONSUMER_PASSWORD = "la caja suspendida vuelve con la misma clave"
SERVICE = "solicitud-afiliacion"
REASON = "Incumplimiento del acuerdo de uso, oficio 2026-123"
BOUND_SECONDS = 60  # CCF_AUTHORIZER_CACHE_SECONDS (infra/components/api.py), docs/security.md


@pytest.fixture(scope="module")
def api(local_runtime):
    with httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT) as http:
        yield http


def operator(api: httpx.Client, login: dict[str, Any], group: str) -> dict[str, str]:
    """The seeded operator of `group` when the runtime seeds one (decision 0090), else the administrator."""
    if any(o.get("groups") == [group] for o in login.get("operators") or []):
        return journeys.bearer(journeys.operator_session(api, login, group))
    return journeys.bearer(journeys.ministry_session(api, login))


def test_the_reviewer_finds_the_company_and_opens_its_rut(local_runtime, api):
    rep = journeys.person(COMPANY["legalRepresentative"])
    journeys.register_citizen(api, journeys.Mailbox(local_runtime["mailbox_url"]), rep, PASSWORD)
    headers = journeys.bearer(journeys.sign_in(api, rep, PASSWORD))
    found = journeys.company(COMPANY["nit"])
    created = api.post(
        "/employers", json=journeys.employer_data(found, "Razón Social Digitada S.A.S."), headers=headers
    )
    assert created.status_code == 201 and created.json()["status"] == "RUT_REQUIRED", created.text
    pdf = journeys.rut_pdf()
    assert journeys.upload_rut(created.json()["upload"], pdf) in (200, 201, 204)
    journeys.wait_for_employer(api, COMPANY["nit"], headers, "PENDING_REVIEW")

    reviewer = operator(api, local_runtime["ministry_login"], "ministerio-revisor")
    nits: list[str] = []
    token = None
    for _ in range(50):  # every page of the queue, oldest first
        params = {"status": "PENDING_REVIEW", "limit": "100", **({"pageToken": token} if token else {})}
        page = api.get("/admin/employers", params=params, headers=reviewer)
        assert page.status_code == 200, page.text
        nits += [item["nit"] for item in page.json()["items"]]
        since = [item["since"] for item in page.json()["items"]]
        assert since == sorted(since)
        token = page.json()["nextPageToken"]
        if not token:
            break
    assert COMPANY["nit"] in nits

    detail = api.get(f"/admin/employers/{COMPANY['nit']}", headers=reviewer)
    assert detail.status_code == 200, detail.text
    rows = {row["field"]: row for row in detail.json()["comparison"]}
    assert rows["businessName"]["matches"] is False and rows["legalRepresentative"]["matches"] is True
    assert detail.json()["rut"]["viewable"] is True

    link = api.get(f"/admin/employers/{COMPANY['nit']}/rut", headers=reviewer)
    assert link.status_code == 200, link.text
    assert link.headers["Cache-Control"].startswith("no-store")
    opened = httpx.get(link.json()["url"], timeout=journeys.HTTP_TIMEOUT)  # what the reviewer's browser does
    assert opened.status_code == 200, opened.text[:300]
    assert opened.headers["Content-Type"] == "application/pdf"
    assert opened.headers.get("Content-Disposition", "").startswith("inline")
    assert opened.content == pdf


def _authorized_person(info: dict[str, Any]) -> dict[str, str]:
    """The CCF's authorized person as the delegation area leaves them, and their sign-in (a shortcut past §5's flow)."""
    login = info["ministry_login"]
    idp = client(info, "cognito-idp")
    idp.admin_create_user(
        UserPoolId=login["user_pool_id"],
        Username=AUTHORIZED_USER,
        UserAttributes=[
            {"Name": "email", "Value": "suspendida@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=login["user_pool_id"], Username=AUTHORIZED_USER, Password=PASSWORD, Permanent=True
    )
    role = "CAJA_DE_SUBSIDIO_FAMILIAR"
    main_table(info).put_item(
        Item={
            "PK": f"PERSON#{AUTHORIZED_USER}",
            "SK": f"ROLE#{role}#{CCF_NIT}",
            "role": role,
            "nit": CCF_NIT,
            "status": "ACTIVE",
            "GSI1PK": f"ROLE#{role}#{CCF_NIT}",
            "GSI1SK": f"PERSON#{AUTHORIZED_USER}",
        }
    )
    return {"Authorization": exchange_journey.id_token(info, AUTHORIZED_USER, PASSWORD)}


def _token(api: httpx.Client, client_id: str) -> httpx.Response:
    return api.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=journeys.basic_auth(client_id, CONSUMER_PASSWORD),
    )


def test_a_suspended_ccf_gets_no_token_its_old_token_stops_within_the_bound_and_reactivation_restores(
    local_runtime, api
):
    info = local_runtime
    name = next(c["businessName"] for c in SEED["companies"] if c["nit"] == CCF_NIT)
    main_table(info).put_item(
        Item={
            "PK": f"EMPLOYER#{CCF_NIT}",
            "SK": "PROFILE",
            "nit": CCF_NIT,
            "status": "REGISTERED",
            "businessName": name,
        }
    )
    catalog = operator(api, info["ministry_login"], "ministerio-catalogo")
    assert api.post("/admin/ccfs", json={"nit": CCF_NIT}, headers=catalog).status_code == 201
    assigned = api.post(f"/admin/ccfs/{CCF_NIT}/services", json={"serviceId": SERVICE}, headers=catalog)
    assert assigned.status_code == 201, assigned.text
    client_id = assigned.json()["clientId"]
    person = _authorized_person(info)
    terms = api.get(f"/ccfs/{CCF_NIT}/terms", headers=person).json()
    api.post(f"/ccfs/{CCF_NIT}/terms", json={"version": terms["version"], "decision": "ACCEPT"}, headers=person)
    changed = api.put(
        f"/ccfs/{CCF_NIT}/consumer-password",
        json={"password": CONSUMER_PASSWORD, "passwordConfirmation": CONSUMER_PASSWORD},
        headers=person,
    )
    assert changed.status_code == 204, changed.text
    issued = _token(api, client_id)
    assert issued.status_code == 200, issued.text
    old = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert api.get("/sat/session", headers=old).status_code == 200  # now in the gateway's authorizer cache

    suspended = api.patch(f"/admin/ccfs/{CCF_NIT}", json={"state": "SUSPENDED", "reason": REASON}, headers=catalog)
    assert suspended.status_code == 200 and suspended.json()["status"] == "SUSPENDED", suspended.text
    listed = api.get("/admin/ccfs", params={"limit": "100"}, headers=catalog).json()["items"]
    row = next((item for item in listed if item["nit"] == CCF_NIT), None)
    assert row is None or (row["status"], row["stateReason"], row["servicesAssigned"]) == ("SUSPENDED", REASON, 1)

    refused = _token(api, client_id)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client", refused.text
    seen = api.get(f"/ccfs/{CCF_NIT}/services", headers=person)
    assert seen.status_code == 403 and seen.json()["code"] == "CCF_SUSPENDED" and REASON in seen.json()["detail"]

    # A trámite for it is refused, not queued (the exchange area's rule for a CCF that is not active).
    ministry = journeys.bearer(journeys.ministry_session(api, info["ministry_login"]))
    request = exchange_journey.tramite_request(CCF_NIT, COMPANY["nit"], COMPANY["legalRepresentative"], "t@example.com")
    filed = api.post("/admin/tramites", json=request, headers=ministry)
    assert filed.status_code == 422 and "ccfNit" in [e["field"] for e in filed.json()["errors"]], filed.text

    started = time.monotonic()
    deadline = started + BOUND_SECONDS + 30  # generous: the bound plus the runtime's own slowness
    while api.get("/sat/session", headers=old).status_code == 200:
        assert time.monotonic() < deadline, f"the old token still worked {BOUND_SECONDS + 30} s after suspension"
        time.sleep(2)
    assert api.get("/sat/session", headers=old).status_code == 401

    back = api.patch(f"/admin/ccfs/{CCF_NIT}", json={"state": "ACTIVE", "reason": "Subsanado"}, headers=catalog)
    assert back.status_code == 200 and back.json()["status"] == "ACTIVE"
    again = _token(api, client_id)  # the same Client ID and consumer password
    assert again.status_code == 200, again.text
    fresh = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert api.get("/sat/session", headers=fresh).status_code == 200
    assert api.get(f"/ccfs/{CCF_NIT}/services", headers=person).status_code == 200
