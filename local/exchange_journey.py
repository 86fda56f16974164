"""The SAT ⇄ CCF exchange as clients do it, over HTTP against the local runtime: shared by `make demo` and
tests/e2e/test_exchange_e2e.py (decisions 0060-0063).

The world before the exchange (an employer registered as a company, a person authorized for its CCF) comes
from the manual's §5 and §6; `prepare_ccf_world_directly_in_moto` writes the two things those flows leave behind
straight into the local runtime's moto (as tests/e2e/test_ccf_catalog_e2e.py does), and everything else goes
through the API: the Ministry activates the CCF and assigns the three services, the authorized person accepts
the terms, sets the consumer password and shares the sample CCF's endpoint (§6 Compartir servicios), the Ministry
files trámites, the sample CCF receives, pulls, decrypts and answers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from local import aws, journeys

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED = REPO_ROOT / "local/seed/reference-data.json"
SERVICES = ("solicitud-afiliacion", "respuesta-tramite-ccf", "recepcion-traslado-caja")
AUTHORIZED_ROLE = "CAJA_DE_SUBSIDIO_FAMILIAR"
NOTIFICATION_SERVICE = "NotificacionTramite"


def seed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SEED.read_text(encoding="utf-8"))
    return document


def company(nit: str) -> dict[str, Any]:
    return next(dict(c) for c in seed()["companies"] if c["nit"] == nit)


def _main_table(info: dict[str, Any]) -> Any:
    name = next(value for lid, value in info["tables"].items() if "main" in lid.lower())
    return aws.resource("dynamodb", info["moto_url"], info["region"]).Table(name)


def id_token(info: dict[str, Any], username: str, password: str) -> str:
    """Signs in through the API (POST /sessions), the only way in: the people pool's client is confidential
    (decision 0027). The seeded Ministry operator answers its TOTP challenge too (decision 0029)."""
    login = info["ministry_login"]
    document_type, document_number = username.split("-", 1)
    someone = {"documentType": document_type, "documentNumber": document_number}
    secrets = {o["username"]: o.get("totp_secret") for o in login.get("operators", [])}
    secret = secrets.get(username) or (login.get("totp_secret") if username == login["usernames"][0] else None)
    with httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT) as api:
        return str(journeys.sign_in(api, someone, password, secret)["idToken"])


def ministry_headers(info: dict[str, Any]) -> dict[str, str]:
    login = info["ministry_login"]
    return {"Authorization": id_token(info, login["usernames"][0], login["password"])}


def prepare_ccf_world_directly_in_moto(
    info: dict[str, Any], nit: str, person: dict[str, str], password: str
) -> dict[str, str]:
    """NOT through the API: what §5's employer and authorization flows leave behind, written into moto.

    - the company's EMPLOYER#<nit>/PROFILE with status REGISTERED (POST /admin/ccfs requires it);
    - the authorized person's Cognito user (password set, e-mail verified), PROFILE and the ACTIVE
      CAJA_DE_SUBSIDIO_FAMILIAR role for the CCF.
    Idempotent: an existing user gets the password again. Returns the person's Authorization header.
    """
    table = _main_table(info)
    existing = table.get_item(Key={"PK": f"EMPLOYER#{nit}", "SK": "PROFILE"}).get("Item")
    if not existing or existing.get("status") != "REGISTERED":
        table.put_item(
            Item={
                **(existing or {}),
                "PK": f"EMPLOYER#{nit}",
                "SK": "PROFILE",
                "nit": nit,
                "status": "REGISTERED",
                "businessName": company(nit)["businessName"],
            }
        )
    username = f"{person['documentType']}-{person['documentNumber']}"
    email = f"{username.lower()}@example.com"
    login = info["ministry_login"]
    idp = aws.client("cognito-idp", info["moto_url"], info["region"])
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(
            UserPoolId=login["user_pool_id"],
            Username=username,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
    idp.admin_set_user_password(UserPoolId=login["user_pool_id"], Username=username, Password=password, Permanent=True)
    role = {"PK": f"PERSON#{username}", "SK": f"ROLE#{AUTHORIZED_ROLE}#{nit}", "role": AUTHORIZED_ROLE, "nit": nit}
    table.put_item(
        Item={**role, "status": "ACTIVE", "GSI1PK": f"ROLE#{AUTHORIZED_ROLE}#{nit}", "GSI1SK": f"PERSON#{username}"}
    )
    if not table.get_item(Key={"PK": f"PERSON#{username}", "SK": "PROFILE"}).get("Item"):
        table.put_item(
            Item={
                "PK": f"PERSON#{username}",
                "SK": "PROFILE",
                "firstName": "Persona",
                "firstSurname": "Autorizada",
                "email": email,
            }
        )
    return {"Authorization": id_token(info, username, password)}


def _ok(response: httpx.Response, *allowed: int) -> httpx.Response:
    if response.status_code not in allowed:
        raise AssertionError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    return response


def activate_and_assign(
    api: httpx.Client, ministry: dict[str, str], person: dict[str, str], nit: str, consumer_password: str
) -> dict[str, str]:
    """The Ministry activates the CCF and assigns the three services; the authorized person accepts the terms
    and sets the consumer password. Tolerates an earlier run (409). Returns serviceId -> Client ID."""
    _ok(api.post("/admin/ccfs", json={"nit": nit}, headers=ministry), 201, 409)
    for service_id in SERVICES:
        _ok(api.post(f"/admin/ccfs/{nit}/services", json={"serviceId": service_id}, headers=ministry), 201, 409)
    terms = _ok(api.get(f"/ccfs/{nit}/terms", headers=person), 200).json()
    if not terms.get("accepted"):
        decision = {"version": terms["version"], "decision": "ACCEPT"}
        _ok(api.post(f"/ccfs/{nit}/terms", json=decision, headers=person), 200)
    client_ids = {
        service_id: _ok(api.get(f"/ccfs/{nit}/services/{service_id}", headers=person), 200).json()["clientId"]
        for service_id in SERVICES
    }
    body = {"password": consumer_password, "passwordConfirmation": consumer_password}
    _ok(api.put(f"/ccfs/{nit}/consumer-password", json=body, headers=person), 204)
    return client_ids


def share_notification_endpoint(api: httpx.Client, person: dict[str, str], nit: str, ccf: Any) -> dict[str, Any]:
    """§6 Compartir servicios' routes: register the sample CCF's receiver, its OAuth credentials, and verify."""
    base = f"/ccfs/{nit}/shared-services"
    listed = _ok(api.get(base, headers=person), 200).json()["items"]
    # The Ministry notifies the service whose purpose is NOTIFICACION_TRAMITES, whatever its name (decision 0106).
    existing = next((s for s in listed if s.get("purpose") == "NOTIFICACION_TRAMITES"), None)
    service = {
        "name": NOTIFICATION_SERVICE,
        "purpose": "NOTIFICACION_TRAMITES",
        "description": "Recepción de notificaciones de trámites del SAT",
        "url": ccf.notification_url,
        "operation": "POST",
        "publicKey": ccf.public_key_pem,
    }
    if existing:
        shared_id = existing["sharedServiceId"]
        patch = {k: v for k, v in service.items() if k != "name"}
        if existing["url"] != ccf.notification_url and existing.get("oauth"):
            # A new URL of a service with OAuth credentials needs every secret again (decision 0054).
            patch["clientSecret"] = ccf.config.token_client_secret
        _ok(api.patch(f"{base}/{shared_id}", json=patch, headers=person), 200)
    else:
        shared_id = _ok(api.post(base, json=service, headers=person), 201).json()["sharedServiceId"]
    oauth = {
        "tokenName": "Servidor de token de la caja",
        "tokenUrl": ccf.token_url,
        "clientId": ccf.config.token_client_id,
        "clientSecret": ccf.config.token_client_secret,
    }
    _ok(api.put(f"{base}/{shared_id}/oauth", json=oauth, headers=person), 200)
    verified = _ok(api.post(f"{base}/{shared_id}/verification", headers=person), 200).json()
    return {"sharedServiceId": shared_id, **verified}


def tramite_request(ccf_nit: str, employer_nit: str, legal_rep: dict[str, str], email: str) -> dict[str, Any]:
    from_seed = company(employer_nit)
    return {
        "ccfNit": ccf_nit,
        "empleador": {
            "tipoDocumento": "NI",
            "numeroDocumento": employer_nit,
            "digitoVerificacion": nit_check_digit(employer_nit),
            "razonSocial": from_seed["businessName"],
            "tipoAportante": "1",
            "numeroEmpleados": 25,
            "actividadEconomica": "6201",
        },
        "representanteLegal": {
            "tipoDocumento": legal_rep["documentType"],
            "numeroDocumento": legal_rep["documentNumber"],
            "primerNombre": "Representante",
            "primerApellido": "Legal",
        },
        "sede": {
            "departamento": "11",
            "municipio": "11001",
            "direccion": "Calle 26 # 13-19",
            "telefono": "6017330000",
            "correoElectronico": email,
        },
        "consentimientos": {"correoElectronico": True, "mensajesTexto": False, "versionPolitica": "2026-01"},
    }


def nit_check_digit(nit: str) -> str:
    weights = (71, 67, 59, 53, 47, 43, 41, 37, 29, 23, 19, 17, 13, 7, 3)
    remainder = sum(int(d) * w for d, w in zip(nit.zfill(15), weights, strict=True)) % 11
    return str(remainder if remainder < 2 else 11 - remainder)


def basic(client_id: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{password}".encode()).decode()}


@dataclass
class Waiter:
    api: httpx.Client
    ministry: dict[str, str]

    def tramite(self, numero: str) -> dict[str, Any]:
        body: dict[str, Any] = _ok(self.api.get(f"/admin/tramites/{numero}", headers=self.ministry), 200).json()
        return body

    def until(
        self, numero: str, done: Callable[[dict[str, Any]], bool], timeout: float = journeys.PATIENCE
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            tramite = self.tramite(numero)
            if done(tramite):
                return tramite
            if time.monotonic() > deadline:
                raise TimeoutError(f"trámite {numero} still {tramite['estado']} after {timeout} s")
            time.sleep(0.3)
