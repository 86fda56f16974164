"""The Ministry's operators and the help desk over HTTP through the local runtime (decisions 0090, 0091).

The runtime seeds one operator per group (ready.json's ministry_login["operators"], each with its own TOTP
secret). An administrator invites a new operator, who sets a password with the e-mailed link, is held at
MFA_REQUIRED until TOTP is enrolled, then reaches only the routes of their group; disabled, they cannot sign in.
The help desk clears a person's sign-in delays. People: FREE["people"][-150] and [-149], no other module's.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pyotp
import pytest

from local import journeys
from tests.e2e import security_world as sw

pytestmark = pytest.mark.e2e

NEW_OPERATOR = journeys.person(sw.FREE["people"][-150])
DELAYED = journeys.person(sw.FREE["people"][-149])
PASSWORD = "Una frase larga para el operador invitado 2026"
GROUPS = ("ministerio", "ministerio-revisor", "ministerio-catalogo", "ministerio-intercambio", "ministerio-auditor")


@pytest.fixture(scope="module")
def api(local_runtime: dict[str, Any]) -> httpx.Client:
    return httpx.Client(base_url=local_runtime["api_url"], timeout=journeys.HTTP_TIMEOUT)


@pytest.fixture(scope="module")
def admin(api: httpx.Client, local_runtime: dict[str, Any]) -> dict[str, str]:
    return journeys.bearer(journeys.ministry_session(api, local_runtime["ministry_login"]))


def test_the_runtime_seeds_one_operator_per_group_and_the_administrator_lists_them(
    api: httpx.Client, local_runtime: dict[str, Any], admin: dict[str, str]
) -> None:
    login = local_runtime["ministry_login"]
    operators = {operator["username"]: operator for operator in login["operators"]}
    assert [operator["groups"] for operator in login["operators"]] == [[group] for group in GROUPS]
    assert login["operators"][0]["username"] == login["usernames"][0]  # the administrator, as before
    assert len({operator["totp_secret"] for operator in login["operators"]}) == len(GROUPS)  # one each
    listed = {item["operatorId"]: item for item in api.get("/admin/operators", headers=admin).json()["items"]}
    for username, seeded in operators.items():
        assert listed[username]["groups"] == seeded["groups"]
        assert listed[username]["enabled"] and listed[username]["totpEnabled"]
        assert listed[username]["status"] == "ACTIVE"
    for group in GROUPS[1:]:  # every other group signs in, and is refused here
        headers = journeys.bearer(journeys.operator_session(api, login, group))
        refused = api.get("/admin/operators", headers=headers)
        assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN", group


def test_an_invited_operator_sets_a_password_enrols_totp_and_reaches_only_their_group(
    api: httpx.Client, local_runtime: dict[str, Any], admin: dict[str, str]
) -> None:
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    email = f"operador-{NEW_OPERATOR['documentNumber']}@example.org"
    body = {
        "documentType": NEW_OPERATOR["documentType"],
        "documentNumber": NEW_OPERATOR["documentNumber"],
        "email": email,
        "groups": ["ministerio-auditor"],
    }
    invited = api.post("/admin/operators", json=body, headers=admin)
    assert invited.status_code == 201, invited.text
    assert invited.json()["status"] == "INVITED" and invited.json()["invited"] is True
    mail = mailbox.wait_for(email, "operator-invitation")
    setup = {"token": journeys.link_token(mail), "password": PASSWORD, "passwordConfirmation": PASSWORD}
    assert api.post("/password-setup", json=setup).status_code == 204

    session = journeys.sign_in(api, NEW_OPERATOR, PASSWORD)  # no TOTP yet: tokens, but /admin holds back
    headers = journeys.bearer(session)
    held = api.get("/admin/services", headers=headers)
    assert held.status_code == 403 and held.json()["code"] == "MFA_REQUIRED", held.text
    started = api.post("/me/mfa/totp", headers=headers)
    assert started.status_code == 200, started.text
    secret = started.json()["secretCode"]
    assert api.put("/me/mfa/totp", json={"code": pyotp.TOTP(secret).now()}, headers=headers).status_code == 204

    headers = journeys.bearer(journeys.sign_in(api, NEW_OPERATOR, PASSWORD, secret))
    assert api.get("/admin/services", headers=headers).status_code == 200  # an auditor reads the catalog
    assert api.get("/admin/ccfs", headers=headers).status_code == 200
    seeded = json.loads((journeys.REPO_ROOT / "local/seed/services.json").read_text())["services"][0]
    service = {**{k: v for k, v in seeded.items() if k != "serviceId"}, "code": sw.unique("OPERADOR_")}
    assert api.post("/admin/services", json=service, headers=headers).status_code == 403  # but never writes
    assert api.get("/admin/operators", headers=headers).status_code == 403

    operator_id = f"{NEW_OPERATOR['documentType']}-{NEW_OPERATOR['documentNumber']}"
    disabled = api.patch(f"/admin/operators/{operator_id}", json={"enabled": False, "reason": "Fin"}, headers=admin)
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False, disabled.text
    login = {"documentType": "CC", "documentNumber": NEW_OPERATOR["documentNumber"], "password": PASSWORD}
    assert api.post("/sessions", json=login).status_code == 401


def test_the_help_desk_clears_a_persons_sign_in_delay(
    api: httpx.Client, local_runtime: dict[str, Any], admin: dict[str, str]
) -> None:
    mailbox = journeys.Mailbox(local_runtime["mailbox_url"])
    journeys.register_citizen(api, mailbox, DELAYED, PASSWORD)
    login = {"documentType": DELAYED["documentType"], "documentNumber": DELAYED["documentNumber"]}
    for _ in range(5):
        assert api.post("/sessions", json={**login, "password": "No es la contraseña 123"}).status_code == 401
    assert api.post("/sessions", json={**login, "password": PASSWORD}).status_code == 429
    path = f"/admin/people/{DELAYED['documentType']}/{DELAYED['documentNumber']}/unlock"
    assert api.post(path, json={}, headers=admin).status_code == 422  # the reason is required
    assert api.post(path, json={"reason": "Llamada a la mesa de ayuda"}, headers=admin).status_code == 204
    assert api.post("/sessions", json={**login, "password": PASSWORD}).status_code == 200
    mailbox.wait_for(DELAYED["email"], "unlock-notice")
