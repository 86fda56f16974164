"""Where a CCF's secrets go (decision 0054), on moto in-process with real servers on 127.0.0.1:

- a new `tokenUrl`, `username` or `clientId` (PUT .../oauth) or a new `url` (PATCH) of a service whose OAuth
  part is stored needs every secret again: 422 naming each missing one, and nothing changes, so the stored
  secrets never reach a server of someone who does not know them;
- the connection test probes the service's own URL too, with no credential of any kind;
- each such change is e-mailed to the CCF's other authorized persons.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from sat_common import ccf_access
from tests.integration.test_share_services import (
    CANARY_PASSWORD,
    CANARY_SECRET,
    MAIN,
    NIT,
    PERSON,
    TokenServer,
    base,
    call,
    create,
    oauth_body,
    secret_value,
    share_env,  # noqa: F401 (the "env" fixture)
    share_token_server,  # noqa: F401 (the "token_server" fixture)
)

COLLEAGUE = "CC-52000111"


@pytest.fixture
def attacker(token_server: TokenServer) -> Any:
    """A second token server: the one someone would point the stored secrets at."""
    other = TokenServer()
    other.thread.start()
    yield other
    other.server.shutdown()
    other.server.server_close()


def _active(token_server: TokenServer, **oauth: Any) -> str:
    shared_id = create(url=token_server.notify_url)
    body = oauth_body(tokenUrl=token_server.url, **oauth)
    assert call("PUT", f"{base()}/{shared_id}/oauth", body).status == 200
    assert call("POST", f"{base()}/{shared_id}/verification").json["status"] == "AUTHORIZED"
    return shared_id


def _errors(reply: Any) -> dict[str, str]:
    return {error["field"]: error["message"] for error in reply.json["errors"]}


def _outbox(env: dict[str, str]) -> list[dict[str, Any]]:
    import json

    sqs, messages = boto3.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=env["OUTBOX_QUEUE_URL"], MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=env["OUTBOX_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])
    return messages


# --------------------------------------------------------------------------- PUT .../oauth
@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"tokenUrl": "ATTACKER"}, {"password", "clientSecret"}),
        ({"clientId": "otro-cliente"}, {"password", "clientSecret"}),
        ({"username": "otro-usuario"}, {"password", "clientSecret"}),
    ],
)
def test_a_new_token_destination_needs_every_secret_again(env, token_server, attacker, change, missing):
    shared_id = _active(token_server, username="sat", password=CANARY_PASSWORD)
    before = call("GET", f"{base()}/{shared_id}").json
    changed = {key: attacker.url if value == "ATTACKER" else value for key, value in change.items()}
    fields = {"tokenUrl": token_server.url, "username": "sat", **changed}
    reply = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(clientSecret=None, **fields))
    assert reply.status == 422 and reply.json["code"] == "VALIDATION_FAILED", reply.body
    errors = _errors(reply)
    assert set(errors) == missing
    assert all(f"Al cambiar {next(iter(change))} " in message for message in errors.values())
    assert call("GET", f"{base()}/{shared_id}").json == before  # nothing changed: still ACTIVE, same tokenUrl
    assert secret_value(shared_id) == {
        "publicKey": None, "publicKeys": [], "password": CANARY_PASSWORD, "clientSecret": CANARY_SECRET
    }  # fmt: skip
    assert attacker.requests == []  # the stored secrets went nowhere new
    # Whoever knows the secrets can change the destination.
    resent = oauth_body(password=CANARY_PASSWORD, **fields)
    moved = call("PUT", f"{base()}/{shared_id}/oauth", resent)
    assert moved.status == 200 and moved.json["status"] == "PENDING_VERIFICATION"


def test_the_label_and_the_scope_keep_the_stored_secrets(env, token_server):
    shared_id = _active(token_server)
    body = oauth_body(tokenUrl=token_server.url, clientSecret=None, tokenName="Otro nombre", scope="otro")
    relabeled = call("PUT", f"{base()}/{shared_id}/oauth", body)
    assert relabeled.status == 200 and secret_value(shared_id)["clientSecret"] == CANARY_SECRET


# --------------------------------------------------------------------------- PATCH url
def test_a_new_url_needs_every_secret_again(env, token_server):
    shared_id = _active(token_server, username="sat", password=CANARY_PASSWORD)
    new_url = token_server.notify_url.replace("/sat/notificaciones", "/otra/ruta")
    reply = call("PATCH", f"{base()}/{shared_id}", {"url": new_url})
    assert reply.status == 422 and set(_errors(reply)) == {"password", "clientSecret"}
    assert all("url" in message for message in _errors(reply).values())
    got = call("GET", f"{base()}/{shared_id}").json
    assert got["url"] == token_server.notify_url and got["status"] == "ACTIVE"
    only_one = call("PATCH", f"{base()}/{shared_id}", {"url": new_url, "clientSecret": "nuevo-secreto"})
    assert only_one.status == 422 and set(_errors(only_one)) == {"password"}
    moved = call(
        "PATCH", f"{base()}/{shared_id}", {"url": new_url, "clientSecret": "nuevo-secreto", "password": "nueva-clave"}
    )
    assert moved.status == 200 and moved.json["url"] == new_url and moved.json["status"] == "PENDING_VERIFICATION"
    assert secret_value(shared_id) == {
        "publicKey": None, "publicKeys": [], "password": "nueva-clave", "clientSecret": "nuevo-secreto"
    }  # fmt: skip


def test_secrets_in_a_patch_only_travel_with_a_new_url(env, token_server):
    shared_id = _active(token_server)
    alone = call("PATCH", f"{base()}/{shared_id}", {"clientSecret": "otro", "description": "x"})
    assert alone.status == 422 and set(_errors(alone)) == {"clientSecret"}
    same_url = call("PATCH", f"{base()}/{shared_id}", {"url": token_server.notify_url, "clientSecret": "otro"})
    assert same_url.status == 422
    no_password = call(
        "PATCH", f"{base()}/{shared_id}", {"url": token_server.url, "clientSecret": "s", "password": "p"}
    )
    assert no_password.status == 422 and set(_errors(no_password)) == {"password"}  # no username registered
    assert secret_value(shared_id)["clientSecret"] == CANARY_SECRET


def test_a_service_without_oauth_changes_its_url_freely(env):
    shared_id = create()
    moved = call("PATCH", f"{base()}/{shared_id}", {"url": "https://auth.caja.example.co/nueva"})
    assert moved.status == 200 and moved.json["status"] == "INCOMPLETE"
    refused = call("PATCH", f"{base()}/{shared_id}", {"url": "https://api.caja.example.co/x", "clientSecret": "s"})
    assert refused.status == 422  # nothing to send again: no OAuth part


# --------------------------------------------------------------------------- the probe of the service's URL
def test_the_connection_test_probes_the_service_url_without_credentials(env, token_server):
    shared_id = create(url=token_server.notify_url)
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url))
    reply = call("POST", f"{base()}/{shared_id}/verification")
    assert reply.json["status"] == "AUTHORIZED", reply.body
    (probe,) = token_server.probes
    assert probe["path"] == "/sat/notificaciones"
    assert "Authorization" not in probe["headers"] and "Content-Length" not in probe["headers"]
    assert CANARY_SECRET not in str(probe) and "token" not in str(probe).lower()


@pytest.mark.parametrize(("status", "fragment"), [(404, "no existe"), (500, "error del servidor"), (301, "redirecc")])
def test_an_unreachable_service_url_fails_the_connection_test(env, token_server, status, fragment):
    shared_id = create(url=token_server.notify_url)
    call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url))
    token_server.probe_status = status
    reply = call("POST", f"{base()}/{shared_id}/verification")
    assert reply.json["status"] == "FAILED" and fragment in reply.json["detail"], reply.json
    assert "token de acceso" in reply.json["detail"]  # the token half worked; the detail says both
    assert call("GET", f"{base()}/{shared_id}").json["status"] == "PENDING_VERIFICATION"


# --------------------------------------------------------------------------- the notice to the others
def _colleague(nit: str = NIT) -> None:
    table = boto3.resource("dynamodb").Table(MAIN)
    for username, email in ((PERSON, "persona@caja.example.co"), (COLLEAGUE, "colega@caja.example.co")):
        table.put_item(
            Item={
                **ccf_access.role_key(username, nit),
                "status": "ACTIVE",
                "GSI1PK": f"ROLE#{ccf_access.AUTHORIZED_ROLE}#{nit}",
                "GSI1SK": f"PERSON#{username}",
            }
        )
        table.put_item(
            Item={
                "PK": f"PERSON#{username}",
                "SK": "PROFILE",
                "email": email,
                "firstName": "Ana",
                "firstSurname": "Ruiz",
            }
        )
    table.update_item(
        Key={"PK": f"CCF#{nit}", "SK": "ACTIVATION"},
        UpdateExpression="SET businessName = :n",
        ExpressionAttributeValues={":n": "Caja de Prueba"},
    )


def test_every_destination_change_is_emailed_to_the_other_authorized_persons(env, token_server):
    _colleague()
    shared_id = _active(token_server)
    _outbox(env)
    call("PATCH", f"{base()}/{shared_id}", {"description": "Sin cambio de destino"})
    assert _outbox(env) == []
    moved = call("PUT", f"{base()}/{shared_id}/oauth", oauth_body(tokenUrl=token_server.url + "?v=2"))
    assert moved.status == 200
    (notice,) = _outbox(env)
    assert notice["template"] == "shared-service-changed" and notice["to"] == "colega@caja.example.co"
    assert set(notice["data"]) == {"nombre", "razonSocial", "nit", "servicio", "cambios", "fecha", "enlace"}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d{1,2}:\d\d [ap]\. m\. \(hora de Colombia\)", notice["data"]["fecha"])
    assert (
        notice["data"]["cambios"] == "URL del servicio de token" and notice["data"]["razonSocial"] == "Caja de Prueba"
    )
    assert CANARY_SECRET not in str(notice)
    call("PATCH", f"{base()}/{shared_id}", {"url": token_server.notify_url + "/v2", "clientSecret": CANARY_SECRET})
    (second,) = _outbox(env)
    assert second["data"]["cambios"] == "URL del servicio" and second["id"] != notice["id"]
