"""The authorization matrix over every route of infra/api_routes.py, over real HTTP.

The expected status of every (route, caller) cell is in tests/e2e/authorization_matrix.csv (rows "METHOD path",
one column per caller; docs/security.md explains how to read it). This module builds its world through the API
(tests/e2e/security_world.py) from `free` seed entities no other module uses:
people FREE["people"][-120:-115], company X = the 5th-from-last free non-CCF company (its reserved legal
representative registers it), company Y = the 6th-from-last (written into moto as a CCF, as the exchange test
does). Every route gets one request per caller; REQUESTS below says what is sent. Path parameters are the
world's ids: {nit} is always company X (so the authorized person of Y and Y's system token ask for another
CCF's objects), ids are objects of X. Rows run in the table's order; the destructive ones (DELETE) are last
and act on throwaway objects re-created before each cell.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from infra.api_routes import ROUTES
from local import exchange_journey, journeys
from tests.e2e import security_world as sw

pytestmark = pytest.mark.e2e

TABLE = Path(__file__).with_name("authorization_matrix.csv")
PEOPLE = sw.FREE["people"][-120:-115]
X_COMPANY, Y_COMPANY = sw.FREE_COMPANIES[-5], sw.FREE_COMPANIES[-6]
FAKE_ULID = "01JAAAAAAAAAAAAAAAAAAAAAAA"
REVISOR = "ministerio-revisor"


def read_table() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["route"] and not row["route"].startswith("#")]


def matches(expected: str, got: int) -> bool:
    """A cell is an exact code, several codes separated by '|', `ok` (any 2xx) or `denied` (401, 403 or 404)."""
    for option in expected.split("|"):
        option = option.strip()
        if option == "ok" and 200 <= got < 300:
            return True
        if option == "denied" and got in (401, 403, 404):
            return True
        if option.isdigit() and int(option) == got:
            return True
    return False


# ----------------------------------------------------------------------------------- the requests
@dataclass
class Request:
    path: dict[str, str]
    kwargs: dict[str, Any]


class Fixtures:
    """The objects the rows need, made once by their legitimate owners (and re-made for destructive rows)."""

    def __init__(self, world: sw.World) -> None:
        self.world = world
        api, x = world.api, world.x
        ministry = world.headers["ministry"]
        authorized = world.headers["authorized_x"]
        self.service_body = self._service_body()
        created = sw._ok(api.post("/admin/services", json=self.service_body, headers=ministry), 201).json()
        self.throwaway_service = created["serviceId"]
        shared = self.shared_body()
        self.shared_service = sw._ok(
            api.post(f"/ccfs/{x}/shared-services", json=shared, headers=authorized), 201
        ).json()["sharedServiceId"]
        request = exchange_journey.tramite_request(x, world.y, X_COMPANY["legalRepresentative"], "e@example.com")
        self.tramite_body = request
        self.numero = sw._ok(api.post("/admin/tramites", json=request, headers=ministry), 201).json()[
            "numeroTransaccion"
        ]
        # decision 0102: a shared service of X that holds the keys the two key rows add and remove
        self.key_service = sw._ok(
            api.post(f"/ccfs/{x}/shared-services", json=self.shared_body(), headers=authorized), 201
        ).json()["sharedServiceId"]
        self.throwaway_pem, self.throwaway_kid = public_key_pem(), ""
        operators = world.info["ministry_login"]["operators"]
        self.revisor = next(o["username"] for o in operators if o["groups"] == [REVISOR])
        document_type, document_number = self.revisor.split("-", 1)
        self.revisor_document = {"documentType": document_type, "documentNumber": document_number}

    def _service_body(self) -> dict[str, Any]:
        seeded = json.loads((journeys.REPO_ROOT / "local/seed/services.json").read_text())
        base = dict(seeded["services"][0])
        base.pop("serviceId", None)
        return {**base, "code": sw.unique("MATRIZ_"), "state": "ACTIVE"}

    def shared_body(self) -> dict[str, Any]:
        return {
            "name": sw.unique("Matriz"),
            "description": "Servicio de la matriz de autorización",
            "url": "http://127.0.0.1:9/sat/notificaciones",
            "operation": "POST",
        }

    # destructive rows: a fresh object when the previous cell removed it
    def throwaway_assignment(self) -> str:
        api, x = self.world.api, self.world.x
        body = {"serviceId": self.throwaway_service}
        sw._ok(api.post(f"/admin/ccfs/{x}/services", json=body, headers=self.world.headers["ministry"]), 201, 409)
        return self.throwaway_service

    def throwaway_authorization(self) -> str:
        api, x, lr = self.world.api, self.world.x, self.world.headers["legal_rep_x"]
        spare = self.world.people["spare"]
        listed = sw._ok(api.get(f"/employers/{x}/authorizations", headers=lr), 200).json()["items"]
        for item in listed:
            if item["documentNumber"] == spare["documentNumber"] and item["status"] == "ACTIVE":
                return str(item["authorizationId"])
        body = journeys.authorization_for(spare, "sobrante@example.com")
        created = sw._ok(api.post(f"/employers/{x}/authorizations", json=body, headers=lr), 201).json()
        return str(created["authorizationId"])

    def throwaway_shared_service(self) -> str:
        api, x, authorized = self.world.api, self.world.x, self.world.headers["authorized_x"]
        listed = sw._ok(api.get(f"/ccfs/{x}/shared-services", headers=authorized), 200).json()["items"]
        for item in listed:
            if item["name"].startswith("Desechable"):
                return str(item["sharedServiceId"])
        body = {**self.shared_body(), "name": sw.unique("Desechable")}
        created = sw._ok(api.post(f"/ccfs/{x}/shared-services", json=body, headers=authorized), 201).json()
        return str(created["sharedServiceId"])

    def throwaway_key(self) -> str:
        """The kid of a key of the keys' service, added again when the previous cell removed it."""
        api, x, authorized = self.world.api, self.world.x, self.world.headers["authorized_x"]
        path = f"/ccfs/{x}/shared-services/{self.key_service}/keys"
        added = sw._ok(api.post(path, json={"publicKey": self.throwaway_pem}, headers=authorized), 201, 409)
        if added.status_code == 201:
            self.throwaway_kid = str(added.json()["kid"])
        return self.throwaway_kid


def public_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def requests_for(fx: Fixtures) -> dict[str, Callable[[], Request]]:
    """route → what is sent (path parameters and body); the same request for every caller of the row."""
    w = fx.world
    x = w.x
    company = journeys.company(x)
    corporate = f"corporativo-{x}@example.com"
    authorized = w.people["authorized_x"]

    def same(path: dict[str, str] | None = None, **kwargs: Any) -> Callable[[], Request]:
        return lambda: Request(path or {}, kwargs)

    return {
        "GET /health": same(),
        "GET /openapi.json": same(),
        "GET /docs": same(),
        "GET /catalogs/{catalog}": same({"catalog": "zones"}),
        # public registration/login routes: an empty body (no person's data is touched)
        "POST /registrations": same(json={}),
        "POST /registrations/{registrationId}/answers": same({"registrationId": FAKE_ULID}, json={}),
        "PUT /registrations/{registrationId}/contact": same({"registrationId": FAKE_ULID}, json={}),
        "POST /password-setup": same(json={}),
        "POST /sessions": same(json={}),
        "POST /sessions/refresh": same(json={}),
        "GET /me": same(),
        "GET /me/roles": same(),
        "POST /sessions/mfa": same(json={}),
        "POST /me/mfa/totp": same(),
        "PUT /me/mfa/totp": same(json={"code": "00000"}),
        # the routes the portal needs (decisions 0075-0077): an unknown id, or an empty body
        "GET /registrations/{registrationId}": same({"registrationId": "0" * 32}),
        "POST /password-reset": same(json={}),
        "POST /sessions/logout": same(json={}),
        "PUT /me/contact": same(json={}),
        "PUT /me/email": same(json={}),
        "POST /me/email/confirmation": same(json={}),
        "PUT /me/consents": same(json={}),
        "POST /admin/ccfs": same(json={"nit": x}),
        "GET /admin/ccfs": same(),
        "PATCH /admin/ccfs/{nit}": same({"nit": x}, json={"state": "ACTIVE", "reason": "Matriz de autorización"}),
        "POST /admin/services": lambda: Request({}, {"json": {**fx.service_body, "code": sw.unique("MATRIZ_")}}),
        "GET /admin/services": same(),
        "PATCH /admin/services/{serviceId}": same(
            {"serviceId": fx.throwaway_service}, json={"description": "Descripción cambiada por la matriz"}
        ),
        "POST /admin/ccfs/{nit}/services": same({"nit": x}, json={"serviceId": sw.SERVICE_A}),
        "DELETE /admin/ccfs/{nit}/services/{serviceId}": lambda: Request(
            {"nit": x, "serviceId": fx.throwaway_assignment()}, {}
        ),
        "GET /ccfs/{nit}/terms": same({"nit": x}),
        "POST /ccfs/{nit}/terms": same({"nit": x}, json={"version": "2026-01", "decision": "ACCEPT"}),
        "GET /ccfs/{nit}/services": same({"nit": x}),
        "GET /ccfs/{nit}/services/{serviceId}": same({"nit": x, "serviceId": sw.SERVICE_A}),
        "GET /ccfs/{nit}/services/{serviceId}/openapi.json": same({"nit": x, "serviceId": sw.SERVICE_A}),
        "GET /ccfs/{nit}/services/{serviceId}/docs": same({"nit": x, "serviceId": sw.SERVICE_A}),
        "PUT /ccfs/{nit}/consumer-password": same(
            {"nit": x}, json={"password": sw.CONSUMER_PASSWORD, "passwordConfirmation": sw.CONSUMER_PASSWORD}
        ),
        # the caller's own Authorization header is the only credential: no Basic client credentials
        "POST /oauth2/token": same(data={"grant_type": "client_credentials"}),
        "GET /.well-known/oauth-authorization-server": same(),  # public metadata and keys (decision 0100)
        "GET /oauth2/jwks.json": same(),
        "GET /sat/session": same(),
        "POST /employers": same(json=journeys.employer_data(company)),
        "GET /employers/{nit}": same({"nit": x}),
        "PATCH /employers/{nit}": same({"nit": x}, json={"employees": 260}),
        "POST /employers/{nit}/rut": same({"nit": x}),
        "PUT /employers/{nit}/delegate": same({"nit": x}, json=journeys.person_data(w.people["delegate"], corporate)),
        "PUT /employers/{nit}/headquarters": same({"nit": x}, json=journeys.headquarters_for(company, corporate)),
        "POST /employers/{nit}/confirmation": same({"nit": x}),
        "GET /employers/{nit}/authorizations": same({"nit": x}),
        "POST /employers/{nit}/authorizations": same(
            {"nit": x}, json=journeys.authorization_for(authorized, f"autorizado-{x}@example.com")
        ),
        "DELETE /employers/{nit}/authorizations/{authorizationId}": lambda: Request(
            {"nit": x, "authorizationId": fx.throwaway_authorization()}, {}
        ),
        "POST /admin/employers/{nit}/rut-review": same({"nit": x}, json={"decision": "APPROVE"}),
        "GET /admin/employers": same(),  # the RUT review queue (decision 0092)
        "GET /admin/employers/{nit}": same({"nit": x}),
        "GET /admin/employers/{nit}/rut": same({"nit": x}),
        "POST /ccfs/{nit}/shared-services": lambda: Request({"nit": x}, {"json": fx.shared_body()}),
        "GET /ccfs/{nit}/shared-services": same({"nit": x}),
        "GET /ccfs/{nit}/shared-services/{sharedServiceId}": same({"nit": x, "sharedServiceId": fx.shared_service}),
        "PATCH /ccfs/{nit}/shared-services/{sharedServiceId}": same(
            {"nit": x, "sharedServiceId": fx.shared_service}, json={"description": "Cambiada por la matriz"}
        ),
        "DELETE /ccfs/{nit}/shared-services/{sharedServiceId}": lambda: Request(
            {"nit": x, "sharedServiceId": fx.throwaway_shared_service()}, {}
        ),
        "PUT /ccfs/{nit}/shared-services/{sharedServiceId}/oauth": same(
            {"nit": x, "sharedServiceId": fx.shared_service},
            json={
                "tokenName": "Token de la caja",
                "tokenUrl": "http://127.0.0.1:9/oauth/token",
                "clientId": "matriz",
                "clientSecret": "secreto-de-la-matriz",
            },
        ),
        "POST /ccfs/{nit}/shared-services/{sharedServiceId}/keys": lambda: Request(
            {"nit": x, "sharedServiceId": fx.key_service}, {"json": {"publicKey": public_key_pem()}}
        ),
        "DELETE /ccfs/{nit}/shared-services/{sharedServiceId}/keys/{kid}": lambda: Request(
            {"nit": x, "sharedServiceId": fx.key_service, "kid": fx.throwaway_key()}, {}
        ),
        "POST /ccfs/{nit}/shared-services/{sharedServiceId}/verification": same(
            {"nit": x, "sharedServiceId": fx.shared_service}
        ),
        "POST /admin/tramites": same(json=fx.tramite_body),
        "GET /admin/tramites/{numeroTransaccion}": same({"numeroTransaccion": fx.numero}),
        "POST /admin/tramites/{numeroTransaccion}/redrive": same({"numeroTransaccion": fx.numero}),
        # the back office's lists and bulk redrive (decisions 0094, 0095)
        "GET /admin/tramites": same(params={"ccfNit": x}),
        "POST /admin/tramites/redrive": same(json={"ccfNit": x, "state": "FALLIDA"}),
        "GET /admin/audit": same(params={"nit": x}),
        # the CCF's own trámites and deliveries (decisions 0107, 0108)
        "GET /ccfs/{nit}/tramites": same({"nit": x}),
        "GET /ccfs/{nit}/tramites/{numeroTransaccion}": same({"nit": x, "numeroTransaccion": fx.numero}),
        "POST /ccfs/{nit}/tramites/{numeroTransaccion}/redelivery": same({"nit": x, "numeroTransaccion": fx.numero}),
        "POST /ccfs/{nit}/shared-services/{sharedServiceId}/test-notification": same(
            {"nit": x, "sharedServiceId": fx.shared_service}
        ),
        "POST /sat/solicitud-afiliacion": same(json={"numeroTransaccion": fx.numero}),
        # the answer names a transaction that does not exist: service B gets past the authorizer to a 404
        "POST /sat/respuesta-tramite-ccf": same(json=answer_body(fx, "99999999999999999999")),
        "POST /sat/recepcion-traslado-caja": same(json={}),
        "GET /.well-known/jwks.json": same(),
        # the administrator's routes (decisions 0090, 0091): an operator that exists, changes that change nothing
        "GET /admin/operators": same(),
        "POST /admin/operators": same(
            json={**fx.revisor_document, "email": "revisor@example.org", "groups": [REVISOR]}
        ),
        "PATCH /admin/operators/{operatorId}": same(
            {"operatorId": fx.revisor}, json={"groups": [REVISOR], "reason": "Matriz de autorización"}
        ),
        "POST /admin/people/{documentType}/{documentNumber}/unlock": same(
            {key: w.people["person"][key] for key in ("documentType", "documentNumber")},
            json={"reason": "Matriz de autorización"},
        ),
    }


def answer_body(fx: Fixtures, numero: str) -> dict[str, Any]:
    return {
        "NumeroTransaccion": numero,
        "TipoDocumentoEmpleador": "NI",
        "NumeroDocumentoEmpleador": fx.world.y,
        "SerialSat": "1",
        "ResultadoTramite": 2,
        "FechaEfectivaAfiliacion": None,
        "MotivoRechazo": "Matriz de autorización",
        "NumeroRadicadoSolicitud": "MATRIZ-1",
    }


def send(world: sw.World, route: str, caller: str, request: Request) -> httpx.Response:
    method, template = route.split(" ", 1)
    path = template.format(**request.path) if request.path else template
    return world.api.request(method, path, headers=world.headers[caller], **request.kwargs)


# ----------------------------------------------------------------------------------- the tests
ROWS = read_table()


@pytest.fixture(scope="module")
def matrix(local_runtime: dict[str, Any]) -> tuple[Fixtures, dict[str, Callable[[], Request]]]:
    world = sw.build_world(local_runtime, PEOPLE, X_COMPANY, Y_COMPANY)
    fixtures = Fixtures(world)
    return fixtures, requests_for(fixtures)


def test_the_table_covers_every_route_and_every_caller() -> None:
    with TABLE.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header[1 : 1 + len(sw.CALLERS)] == list(sw.CALLERS)
    rows = [row["route"] for row in ROWS]
    assert sorted(rows) == sorted(f"{route.method} {route.path}" for route in ROUTES)
    assert len(rows) == len(set(rows))
    for row in ROWS:
        assert all(row[caller].strip() for caller in sw.CALLERS), row["route"]


@pytest.mark.parametrize("row", ROWS, ids=[row["route"] for row in ROWS])
def test_cell(matrix: tuple[Fixtures, dict[str, Callable[[], Request]]], row: dict[str, str]) -> None:
    fixtures, requests = matrix
    route = row["route"]
    unexpected = []

    def call(caller: str) -> httpx.Response:
        return send(fixtures.world, route, caller, requests[route]())

    if not route.startswith("GET"):  # writes one at a time (concurrent writers of one object get 409)
        responses = [call(caller) for caller in sw.CALLERS]
    else:  # reads are independent: ask in parallel
        with ThreadPoolExecutor(max_workers=len(sw.CALLERS)) as pool:
            responses = list(pool.map(call, sw.CALLERS))
    for caller, response in zip(sw.CALLERS, responses, strict=True):
        if not matches(row[caller], response.status_code):
            kind = "UNEXPECTED SUCCESS" if 200 <= response.status_code < 300 else "mismatch"
            unexpected.append(
                f"{kind}: {caller} expected {row[caller]}, got {response.status_code} {response.text[:200]}"
            )
    assert not unexpected, f"{route}:\n" + "\n".join(unexpected)
