"""A world of callers built over HTTP for the security e2e tests (the authorization matrix and mass assignment).

`build_world` registers people and companies through the API (journeys.py, as local/demo.py does) and returns
the Authorization headers of every caller of the authorization matrix plus the ids the routes need:

- person: a registered citizen with no roles;
- legal representative and delegate of company X (employer role confirmed over the API);
- authorized of CCF X: the Ministry activates X's CCF role, the delegate authorizes a person, that person
  registers, accepts the terms and sets the consumer password; Client IDs → system tokens of services A
  (solicitud-afiliacion) and B (respuesta-tramite-ccf) of X;
- authorized of CCF Y and a system token of Y's service A: Y's company and its authorized person are written
  into moto (local.exchange_journey.prepare_ccf_world_directly_in_moto, as the exchange e2e test does);
  activation, services, terms and password go through the API;
- Ministry: the seeded administrator (`ministerio`) and the seeded operator of each other group (revisor,
  catalogo, intercambio, auditor; decision 0090) sign in with POST /sessions and their TOTP codes.
Each module passes its own `free` seed people and companies, so modules never share objects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from local import exchange_journey, journeys

PERSON_PASSWORD = "Una frase larga para la matriz de seguridad 2026"
CONSUMER_PASSWORD = "sistemas de la caja con clave de consumo 2026"
SERVICE_A, SERVICE_B = "solicitud-afiliacion", "respuesta-tramite-ccf"
# The seeded operator of each group besides the administrator `ministry` (decision 0090).
OPERATORS = {
    "revisor": "ministerio-revisor",
    "catalogo": "ministerio-catalogo",
    "intercambio": "ministerio-intercambio",
    "auditor": "ministerio-auditor",
}
CALLERS = (
    "anonymous",
    "person",
    "legal_rep_x",
    "delegate_x",
    "authorized_x",
    "authorized_y",
    "ministry",
    "revisor",
    "catalogo",
    "intercambio",
    "auditor",
    "token_a_x",
    "token_b_x",
    "token_y",
)

SEED = journeys.seed()
FREE = SEED["scenarios"]["free"]
FREE_COMPANIES = [company for company in FREE["companies"] if not company["isCcf"]]


@dataclass
class World:
    api: httpx.Client
    info: dict[str, Any]
    x: str
    y: str
    headers: dict[str, dict[str, str]]
    client_ids: dict[str, dict[str, str]]
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


def _ok(response: httpx.Response, *allowed: int) -> httpx.Response:
    if response.status_code not in allowed:
        raise AssertionError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text}"
        )
    return response


def system_token(api: httpx.Client, client_id: str, password: str = CONSUMER_PASSWORD) -> dict[str, str]:
    form = {"grant_type": "client_credentials"}
    token = _ok(api.post("/oauth2/token", data=form, headers=journeys.basic_auth(client_id, password)), 200).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def build_world(
    info: dict[str, Any], people: list[dict[str, str]], x_company: dict[str, Any], y_company: dict[str, Any]
) -> World:
    """people: at least 5 free seed references (person, delegate, authorized X, authorized Y, spare)."""
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    mailbox = journeys.Mailbox(info["mailbox_url"])
    x, y = x_company["nit"], y_company["nit"]
    company_x = journeys.company(x)
    corporate = f"corporativo-{x}@example.com"
    found = {
        name: journeys.person(ref) for name, ref in zip(("person", "delegate", "authorized_x"), people, strict=False)
    }
    legal_rep = journeys.person(x_company["legalRepresentative"])

    def register(someone: dict[str, Any]) -> dict[str, str]:
        return journeys.bearer(journeys.register_citizen(api, mailbox, someone, PERSON_PASSWORD))

    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    headers["ministry"] = journeys.bearer(journeys.ministry_session(api, info["ministry_login"]))
    for caller, group in OPERATORS.items():
        headers[caller] = journeys.bearer(journeys.operator_session(api, info["ministry_login"], group))
    headers["person"] = register(found["person"])
    lr = headers["legal_rep_x"] = register(legal_rep)
    _ok(api.post("/employers", json=journeys.employer_data(company_x), headers=lr), 201)
    _ok(api.put(f"/employers/{x}/delegate", json=journeys.person_data(found["delegate"], corporate), headers=lr), 200)
    _ok(api.put(f"/employers/{x}/headquarters", json=journeys.headquarters_for(company_x, corporate), headers=lr), 200)
    _ok(api.post(f"/employers/{x}/confirmation", headers=lr), 200)
    headers["delegate_x"] = register(found["delegate"])

    ministry = headers["ministry"]
    _ok(api.post("/admin/ccfs", json={"nit": x}, headers=ministry), 201)
    for service_id in exchange_journey.SERVICES:
        _ok(api.post(f"/admin/ccfs/{x}/services", json={"serviceId": service_id}, headers=ministry), 201)
    authorization = journeys.authorization_for(found["authorized_x"], f"autorizado-{x}@example.com")
    _ok(api.post(f"/employers/{x}/authorizations", json=authorization, headers=headers["delegate_x"]), 201)
    headers["authorized_x"] = register(found["authorized_x"])
    ids_x = exchange_journey.activate_and_assign(api, ministry, headers["authorized_x"], x, CONSUMER_PASSWORD)

    register(journeys.person(people[3]))  # a complete profile first; moto then gets Y's company and the role
    headers["authorized_y"] = exchange_journey.prepare_ccf_world_directly_in_moto(info, y, people[3], PERSON_PASSWORD)
    ids_y = exchange_journey.activate_and_assign(api, ministry, headers["authorized_y"], y, CONSUMER_PASSWORD)
    headers["token_a_x"] = system_token(api, ids_x[SERVICE_A])
    headers["token_b_x"] = system_token(api, ids_x[SERVICE_B])
    headers["token_y"] = system_token(api, ids_y[SERVICE_A])
    world = World(api=api, info=info, x=x, y=y, headers=headers, client_ids={"x": ids_x, "y": ids_y})
    world.people = {**found, "legal_rep": legal_rep, "spare": journeys.person(people[4])}
    return world


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8].upper()}"
