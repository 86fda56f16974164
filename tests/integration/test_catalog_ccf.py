"""The authorized person's side on moto: terms as evidence, the CCF's catalog, service info and docs, the
consumer password (policy, overlap, notice)."""

import json
import re

import boto3

from catalog.terms_of_use import terms_hash
from sat_common import ccf_access
from sat_common.ccf_person_access import TERMS_VERSION
from tests.integration.catalog_support import (
    FREE_CCFS,
    GOOD_PASSWORD,
    accept_terms,
    activate,
    assign,
    audit_items,
    authorized_person,
    aws_resources,  # noqa: F401 (the "aws" fixture)
    call,
    create_services,
    outbox_messages,
    person,
    registered_employer,
    set_password,
)

ADMIN = "CC-79000002"
NIT, OTHER_NIT, _ = FREE_CCFS
ALICE, BOB, CAROL = person(10), person(11), person(12)


def ccf_get(path: str, username: str, resource: str, **params: str):
    return call("GET", path, username=username, resource=resource, path_parameters={"nit": NIT, **params})


def prepared(assigned: tuple[str, ...] = ("solicitud-afiliacion", "respuesta-tramite-ccf")) -> dict[str, str]:
    create_services(ADMIN)
    registered_employer(NIT)
    activate(ADMIN, NIT)
    clients = {service_id: assign(ADMIN, NIT, service_id).json["clientId"] for service_id in assigned}
    authorized_person(ALICE, NIT)
    return clients


def test_terms_gate_everything_until_the_current_version_is_accepted(aws):
    prepared()
    terms = ccf_get(f"/ccfs/{NIT}/terms", ALICE, "/ccfs/{nit}/terms")
    assert terms.status == 200
    assert terms.json["version"] == TERMS_VERSION and terms.json["accepted"] is False
    assert "Ley 1581 de 2012" in terms.json["text"] and terms.json["textHash"] == terms_hash()
    blocked = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services")
    assert blocked.status == 403 and blocked.json["code"] == "TERMS_NOT_ACCEPTED"

    declined = accept_terms(ALICE, NIT, "DECLINE")
    assert declined.status == 200 and declined.json["accepted"] is False
    assert ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").status == 403

    outdated = call("POST", f"/ccfs/{NIT}/terms", {"version": "2020-01", "decision": "ACCEPT"}, username=ALICE,
                    resource="/ccfs/{nit}/terms", path_parameters={"nit": NIT})  # fmt: skip
    assert outdated.status == 409 and outdated.json["code"] == "TERMS_VERSION_MISMATCH"

    accepted = accept_terms(ALICE, NIT)
    assert accepted.status == 200 and accepted.json["accepted"] is True
    assert ccf_get(f"/ccfs/{NIT}/terms", ALICE, "/ccfs/{nit}/terms").json["decision"] == "ACCEPT"
    assert ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").status == 200

    evidence = [item for item in audit_items(f"CCF#{NIT}") if item["action"].startswith("TERMS_")]
    assert [item["action"] for item in sorted(evidence, key=lambda i: i["SK"])] == ["TERMS_DECLINE", "TERMS_ACCEPT"]
    last = max(evidence, key=lambda i: i["SK"])
    assert last["details"]["textHash"] == terms_hash() and last["details"]["version"] == TERMS_VERSION
    assert last["sourceIp"] == "203.0.113.7" and last["userAgent"] == "pytest" and last["actor"] == ALICE


def test_a_new_terms_version_requires_a_new_acceptance(aws, monkeypatch):
    prepared()
    accept_terms(ALICE, NIT)
    import catalog.terms_of_use
    import sat_common.ccf_person_access

    monkeypatch.setattr(sat_common.ccf_person_access, "TERMS_VERSION", "2027-01")
    monkeypatch.setattr(catalog.terms_of_use, "terms_text", lambda version="2027-01": "Nuevas condiciones")
    blocked = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services")
    assert blocked.status == 403 and blocked.json["code"] == "TERMS_NOT_ACCEPTED"
    assert ccf_get(f"/ccfs/{NIT}/terms", ALICE, "/ccfs/{nit}/terms").json["accepted"] is False


def test_catalog_lists_only_this_ccfs_services_and_their_info(aws):
    clients = prepared()
    accept_terms(ALICE, NIT)
    listed = ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").json
    assert [item["serviceId"] for item in listed["items"]] == ["respuesta-tramite-ccf", "solicitud-afiliacion"]
    info = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion", ALICE, "/ccfs/{nit}/services/{serviceId}",
                   serviceId="solicitud-afiliacion").json  # fmt: skip
    assert info == {
        "serviceId": "solicitud-afiliacion",
        "name": "SERVICIO SOLICITUD AFILIACION",
        "description": info["description"],
        "clientId": clients["solicitud-afiliacion"],
        "state": "ACTIVE",
        "tokenUrl": "https://api.example.test/oauth2/token",
        "endpointUrl": "https://api.example.test/sat/solicitud-afiliacion",
        "operation": "POST",
    }
    not_assigned = ccf_get(f"/ccfs/{NIT}/services/recepcion-traslado-caja", ALICE,
                           "/ccfs/{nit}/services/{serviceId}", serviceId="recepcion-traslado-caja")  # fmt: skip
    assert not_assigned.status == 404 and not_assigned.json["code"] == "SERVICE_NOT_FOUND"


def test_service_document_and_swagger_page(aws):
    prepared()
    accept_terms(ALICE, NIT)
    resource = "/ccfs/{nit}/services/{serviceId}/openapi.json"
    document = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion/openapi.json", ALICE, resource,
                       serviceId="solicitud-afiliacion")  # fmt: skip
    assert document.status == 200
    assert document.json["servers"] == [{"url": "https://api.example.test", "description": "SAT - Mi Seguridad Social"}]
    assert "/sat/solicitud-afiliacion" in document.json["paths"]
    page = ccf_get(f"/ccfs/{NIT}/services/solicitud-afiliacion/docs", ALICE, "/ccfs/{nit}/services/{serviceId}/docs",
                   serviceId="solicitud-afiliacion")  # fmt: skip
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.body and "https://" not in page.body.split("<script>")[0].lower().replace(
        "https://api.example.test", ""
    )
    assert "SolicitudAfiliacion" in page.body


def test_other_ccfs_and_revoked_persons_get_404(aws):
    prepared()
    accept_terms(ALICE, NIT)
    registered_employer(OTHER_NIT)
    activate(ADMIN, OTHER_NIT)
    authorized_person(BOB, OTHER_NIT)
    for path, resource in (
        (f"/ccfs/{NIT}/terms", "/ccfs/{nit}/terms"),
        (f"/ccfs/{NIT}/services", "/ccfs/{nit}/services"),
    ):
        reply = ccf_get(path, BOB, resource)
        assert reply.status == 404 and reply.json["code"] == "NOT_FOUND"
    authorized_person(ALICE, NIT, status="REVOKED")  # the delegate revoked Alice: next request is 404
    assert ccf_get(f"/ccfs/{NIT}/services", ALICE, "/ccfs/{nit}/services").status == 404
    assert ccf_get(f"/ccfs/{NIT}/services", CAROL, "/ccfs/{nit}/services").status == 404


def test_password_mismatch_and_policy_are_422(aws):
    prepared()
    accept_terms(ALICE, NIT)
    mismatch = set_password(ALICE, NIT, GOOD_PASSWORD, GOOD_PASSWORD + "x")
    assert mismatch.status == 422 and mismatch.json["code"] == "PASSWORD_MISMATCH"
    assert mismatch.json["errors"] == [{"field": "passwordConfirmation", "message": "No coincide con la contraseña."}]
    for password, rule_text in (
        ("corta", "al menos 12"),
        ("contraseña12345", "común"),
        (f"clave {NIT} segura", "No puede contener"),
    ):
        reply = set_password(ALICE, NIT, password)
        assert reply.status == 422 and reply.json["code"] == "PASSWORD_POLICY", password
        assert reply.json["errors"][0]["field"] == "password" and rule_text in reply.json["errors"][0]["message"]
    assert boto3.resource("dynamodb").Table("main-table").get_item(Key=ccf_access.password_key(NIT)).get("Item") is None


def test_password_is_stored_hashed_audited_and_announced(aws):
    prepared()
    authorized_person(BOB, NIT)  # a second authorized person of the same CCF
    accept_terms(ALICE, NIT)
    assert set_password(ALICE, NIT, GOOD_PASSWORD).status == 204
    item = boto3.resource("dynamodb").Table("main-table").get_item(Key=ccf_access.password_key(NIT))["Item"]
    stored = json.dumps(item, default=str)
    assert GOOD_PASSWORD not in stored and item["current"]["alg"] == "scrypt" and "previous" not in item
    audit = [i for i in audit_items(f"CCF#{NIT}") if i["action"] == "CONSUMER_PASSWORD_SET"]
    assert len(audit) == 1 and GOOD_PASSWORD not in json.dumps(audit, default=str)
    messages = outbox_messages(aws["queue_url"])
    assert sorted(m["to"] for m in messages) == sorted([f"{ALICE.lower()}@example.com", f"{BOB.lower()}@example.com"])
    assert {m["template"] for m in messages} == {"consumer-password-changed"}
    assert messages[0]["data"]["nit"] == NIT and set(messages[0]["data"]) == {
        "nombre",
        "razonSocial",
        "nit",
        "fecha",
        "transicion",
        "enlace",
    }
    assert "24 horas" in messages[0]["data"]["transicion"]  # the overlap, not an immediate change
    # people read the time of the change in Colombia, in their words (never a UTC ISO stamp)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d{1,2}:\d\d [ap]\. m\. \(hora de Colombia\)", messages[0]["data"]["fecha"])

    assert set_password(ALICE, NIT, "otra frase larga para el cambio").status == 204
    rotated = boto3.resource("dynamodb").Table("main-table").get_item(Key=ccf_access.password_key(NIT))["Item"]
    assert rotated["previous"]["hash"] == item["current"]["hash"] and int(rotated["revision"]) == 2
