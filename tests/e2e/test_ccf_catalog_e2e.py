"""Manual §6 end to end over the local runtime (HTTP, moto behind it):

the Ministry activates a CCF and assigns the three seeded services; an authorized person accepts the
terms, lists the catalog, opens a service's docs and info, and sets the consumer password (the notice
reaches the mailbox); a CCF system gets a token with the Client ID + password and calls GET /sat/session
through the Lambda authorizer; anonymous callers, people's tokens and other services' routes are refused.

The REGISTERED employer and the authorized person's role are written straight into the runtime's moto
DynamoDB (what the delegation area writes when a delegate authorizes someone), and the authorized
person's Cognito user is created with the admin API: this test exercises the manual's §6 only. It uses a `free`
CCF and `free` people (docs/seed.md), never `demo`.
"""

import base64
import json
import time

import boto3
import httpx
import pytest

from local import exchange_journey, journeys

pytestmark = pytest.mark.e2e

SEED = json.load(open("local/seed/reference-data.json", encoding="utf-8"))  # noqa: SIM115
FREE = SEED["scenarios"]["free"]
NIT = [c["nit"] for c in FREE["companies"] if c["isCcf"]][-1]
BUSINESS_NAME = next(c["businessName"] for c in SEED["companies"] if c["nit"] == NIT)
AUTHORIZED = FREE["people"][-60]
USERNAME = f"{AUTHORIZED['documentType']}-{AUTHORIZED['documentNumber']}"
EMAIL = f"{USERNAME.lower()}@example.com"
PERSON_PASSWORD = "una frase larga para entrar al portal"
CONSUMER_PASSWORD = "los sistemas integrados consumen servicios"
SERVICES = ("respuesta-tramite-ccf", "solicitud-afiliacion", "recepcion-traslado-caja")


def client(info: dict, service: str):
    return boto3.client(
        service,
        endpoint_url=info["moto_url"],
        region_name=info["region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def main_table(info: dict):
    name = next(value for lid, value in info["tables"].items() if "main" in lid.lower())
    return boto3.resource(
        "dynamodb",
        endpoint_url=info["moto_url"],
        region_name=info["region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).Table(name)


def id_token(info: dict, username: str, password: str) -> str:
    """Through the API only (the people pool's client is confidential, decision 0027); the seeded operator
    answers its TOTP challenge (decision 0029)."""
    return exchange_journey.id_token(info, username, password)


def test_ministry_assigns_person_sets_password_system_calls(local_runtime):
    info = local_runtime
    api = info["api_url"]
    login = info["ministry_login"]
    ministry = {"Authorization": id_token(info, login["usernames"][0], login["password"])}
    http = httpx.Client(base_url=api, timeout=journeys.HTTP_TIMEOUT)
    table = main_table(info)

    # What the employer/delegation flow leaves behind (§5), written directly.
    table.put_item(Item={"PK": f"EMPLOYER#{NIT}", "SK": "PROFILE", "nit": NIT, "status": "REGISTERED",
                         "businessName": BUSINESS_NAME})  # fmt: skip

    # 1. The Ministry activates the CCF and assigns the three seeded services.
    activated = http.post("/admin/ccfs", json={"nit": NIT}, headers=ministry)
    assert activated.status_code == 201, activated.text
    assert NIT in [item["nit"] for item in http.get("/admin/ccfs", headers=ministry).json()["items"]]
    catalog = http.get("/admin/services", headers=ministry).json()["items"]
    assert {item["serviceId"] for item in catalog} >= set(SERVICES)
    client_ids = {}
    for service_id in SERVICES:
        assigned = http.post(f"/admin/ccfs/{NIT}/services", json={"serviceId": service_id}, headers=ministry)
        assert assigned.status_code == 201, assigned.text
        client_ids[service_id] = assigned.json()["clientId"]

    # 2. The authorized person (role written as the delegation area does) signs in.
    idp = client(info, "cognito-idp")
    idp.admin_create_user(
        UserPoolId=login["user_pool_id"],
        Username=USERNAME,
        UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=login["user_pool_id"], Username=USERNAME, Password=PERSON_PASSWORD,
                                Permanent=True)  # fmt: skip
    role = "CAJA_DE_SUBSIDIO_FAMILIAR"
    role_item = {"PK": f"PERSON#{USERNAME}", "SK": f"ROLE#{role}#{NIT}", "role": role, "nit": NIT, "status": "ACTIVE"}
    table.put_item(Item={**role_item, "GSI1PK": f"ROLE#{role}#{NIT}", "GSI1SK": f"PERSON#{USERNAME}"})
    table.put_item(Item={"PK": f"PERSON#{USERNAME}", "SK": "PROFILE", "firstName": "Autorizada",
                         "firstSurname": "Prueba", "email": EMAIL})  # fmt: skip
    person = {"Authorization": id_token(info, USERNAME, PERSON_PASSWORD)}
    assert http.get("/admin/ccfs", headers=person).status_code == 403

    # 3. Terms first: everything else is 403 until accepted.
    terms = http.get(f"/ccfs/{NIT}/terms", headers=person).json()
    assert terms["accepted"] is False
    blocked = http.get(f"/ccfs/{NIT}/services", headers=person)
    assert blocked.status_code == 403 and blocked.json()["code"] == "TERMS_NOT_ACCEPTED"
    decided = http.post(f"/ccfs/{NIT}/terms", json={"version": terms["version"], "decision": "ACCEPT"}, headers=person)
    assert decided.status_code == 200 and decided.json()["accepted"] is True

    # 4. Catalog, info, document and Swagger page.
    listed = http.get(f"/ccfs/{NIT}/services", headers=person).json()["items"]
    assert sorted(item["serviceId"] for item in listed) == sorted(SERVICES)
    info_a = http.get(f"/ccfs/{NIT}/services/solicitud-afiliacion", headers=person).json()
    assert info_a["clientId"] == client_ids["solicitud-afiliacion"]
    assert info_a["tokenUrl"] == f"{api}/oauth2/token" and info_a["endpointUrl"] == f"{api}/sat/solicitud-afiliacion"
    document = http.get(f"/ccfs/{NIT}/services/solicitud-afiliacion/openapi.json", headers=person).json()
    assert document["servers"][0]["url"] == api
    page = http.get(f"/ccfs/{NIT}/services/solicitud-afiliacion/docs", headers=person)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text

    # 5. Consumer password; the notice reaches the mailbox.
    mismatch = http.put(f"/ccfs/{NIT}/consumer-password", headers=person,
                        json={"password": CONSUMER_PASSWORD, "passwordConfirmation": "otra"})  # fmt: skip
    assert mismatch.status_code == 422
    done = http.put(f"/ccfs/{NIT}/consumer-password", headers=person,
                    json={"password": CONSUMER_PASSWORD, "passwordConfirmation": CONSUMER_PASSWORD})  # fmt: skip
    assert done.status_code == 204, done.text
    mail = []
    for _ in range(100):
        mail = [
            m
            for m in http.get("/_local/mailbox", params={"to": EMAIL}).json()
            if m["template"].endswith("consumer-password-changed")
        ]
        if mail:
            break
        time.sleep(0.2)
    assert mail and NIT in mail[0]["text"] and CONSUMER_PASSWORD not in mail[0]["text"]

    # 6. A CCF system: token with Client ID + password, then a /sat route through the authorizer.
    basic = base64.b64encode(f"{client_ids['solicitud-afiliacion']}:{CONSUMER_PASSWORD}".encode()).decode()
    issued = http.post("/oauth2/token", data={"grant_type": "client_credentials"},
                       headers={"Authorization": f"Basic {basic}"})  # fmt: skip
    assert issued.status_code == 200, issued.text
    token = issued.json()["access_token"]
    session = http.get("/sat/session", headers={"Authorization": f"Bearer {token}"})
    assert session.status_code == 200, session.text
    assert session.json()["ccfNit"] == NIT and session.json()["serviceId"] == "solicitud-afiliacion"
    assert http.get("/sat/session").status_code == 401
    assert http.get("/sat/session", headers=person).status_code == 401
    assert http.get(f"/ccfs/{NIT}/services", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    if "POST /sat/respuesta-tramite-ccf" in info["routes"]:  # the exchange issue's route, when it exists
        other = http.post("/sat/respuesta-tramite-ccf", json={}, headers={"Authorization": f"Bearer {token}"})
        assert other.status_code == 403
    wrong = http.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": client_ids[SERVICES[0]],
                                             "client_secret": "no es la clave"})  # fmt: skip
    assert wrong.status_code == 401 and wrong.json() == {"error": "invalid_client"}
