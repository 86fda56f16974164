"""A CCF's secrets and tokens over HTTP against the local runtime (decisions 0041, 0054), with the sample CCF
system (examples/sample_ccf) on 127.0.0.1 and a second server standing for someone else's:

- an authorized person who does not know the stored secrets cannot point them (or the CCF's notifications and
  their bearer token) at another server: a new tokenUrl or url without every secret is 422, nothing changes,
  and the next trámite is still delivered to the CCF's own system;
- every change of where the secrets go is e-mailed to the CCF's other authorized persons;
- the token URL handed out comes from configuration, whatever Host the request names;
- an immediate consumer-password rotation refuses the old password and a token obtained before it.

The CCF's world before the exchange is written into moto by local.exchange_journey; it uses `free` seed
entities no other e2e test uses (the first free CCF, people [-63] and [-64]).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from examples.sample_ccf import Config, SampleCcf
from local import exchange_journey as journey
from local import journeys
from local.testing import free_port

pytestmark = pytest.mark.e2e

SEED = journey.seed()
FREE = SEED["scenarios"]["free"]
NIT = next(c["nit"] for c in FREE["companies"] if c["isCcf"])
EMPLOYER_NIT = [c["nit"] for c in FREE["companies"] if not c["isCcf"]][-2]
AUTHORIZED, COLLEAGUE = FREE["people"][-63], FREE["people"][-64]
PERSON_PASSWORD = "una frase larga para la caja de prueba"
CONSUMER_PASSWORD = "los sistemas integrados consumen servicios web"
NEW_CONSUMER_PASSWORD = "otra frase distinta para los sistemas integrados"


class Elsewhere:
    """A server that records whatever reaches it (it must be nothing)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append({"method": self.command, "path": self.path, "body": self.rfile.read(length)})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"access_token": "x", "token_type": "Bearer"}')

            do_GET = do_POST = do_OPTIONS = do_HEAD = _record

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    server = Elsewhere()
    yield server
    server.close()


def _username(person: dict[str, str]) -> str:
    return f"{person['documentType']}-{person['documentNumber']}"


def test_secrets_stay_where_they_were_sent_and_tokens_can_be_revoked_at_once(local_runtime, elsewhere):
    info = local_runtime
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    mailbox = journeys.Mailbox(info["mailbox_url"])
    ministry = journey.ministry_headers(info)
    person = journey.prepare_ccf_world_directly_in_moto(info, NIT, AUTHORIZED, PERSON_PASSWORD)
    journey.prepare_ccf_world_directly_in_moto(info, NIT, COLLEAGUE, PERSON_PASSWORD)
    client_ids = journey.activate_and_assign(api, ministry, person, NIT, CONSUMER_PASSWORD)
    config = Config(
        port=free_port(), api_url=info["api_url"], pull_client_id=client_ids["solicitud-afiliacion"],
        answer_client_id=client_ids["respuesta-tramite-ccf"], password=CONSUMER_PASSWORD, nit=NIT,
    )  # fmt: skip
    ccf = SampleCcf(config).start()
    try:
        shared = journey.share_notification_endpoint(api, person, NIT, ccf)
        assert shared["status"] == "AUTHORIZED", shared
        path = f"/ccfs/{NIT}/shared-services/{shared['sharedServiceId']}"
        before = api.get(path, headers=person).json()
        assert before["status"] == "ACTIVE"

        # Where the secrets go changes only with the secrets themselves.
        oauth = {"tokenName": "Otro", "tokenUrl": f"{elsewhere.url}/token", "clientId": ccf.config.token_client_id}
        moved_token = api.put(f"{path}/oauth", json=oauth, headers=person)
        assert moved_token.status_code == 422, moved_token.text
        assert moved_token.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in moved_token.json()["errors"]] == ["clientSecret"]
        moved_url = api.patch(path, json={"url": f"{elsewhere.url}/notificaciones"}, headers=person)
        assert moved_url.status_code == 422 and [e["field"] for e in moved_url.json()["errors"]] == ["clientSecret"]
        assert api.get(path, headers=person).json() == before  # still ACTIVE, same URLs

        waiter = journey.Waiter(api, ministry)
        request = journey.tramite_request(NIT, EMPLOYER_NIT, FREE["people"][-65], "secretos-e2e@example.com")
        numero = api.post("/admin/tramites", json=request, headers=ministry).json()["numeroTransaccion"]
        done = waiter.until(numero, lambda t: t["estado"] == "APROBADA")
        assert done["acknowledgement"]["numeroTransaccion"] == numero  # the CCF's own system got it
        assert elsewhere.requests == []  # no secret, token or notification went anywhere else

        # The colleague heard about where the secrets go (the first registration of the OAuth part).
        colleague_mail = f"{_username(COLLEAGUE).lower()}@example.com"
        notice = mailbox.wait_for(colleague_mail, "shared-service-changed")
        assert notice["data"]["servicio"] == journey.NOTIFICATION_SERVICE and ccf.config.token_client_secret not in (
            json.dumps(notice)
        )
        caller_mail = f"{_username(AUTHORIZED).lower()}@example.com"
        assert not [m for m in mailbox.messages(caller_mail) if m["template"].endswith("shared-service-changed")]
    finally:
        ccf.stop()

    # The token URL handed to CCF systems ignores the Host the request names.
    info_a = api.get(f"/ccfs/{NIT}/services/solicitud-afiliacion", headers={**person, "Host": "atacante.example"})
    assert info_a.status_code == 200 and info_a.json()["tokenUrl"] == f"{info['api_url']}/oauth2/token"

    # An immediate rotation: the old password and a token it obtained stop at once (the token was never used,
    # so no authorizer result is cached for it; a cached one lasts at most 60 s, decision 0041).
    pull_client = client_ids["solicitud-afiliacion"]
    token = api.post("/oauth2/token", data={"grant_type": "client_credentials"},
                     headers=journeys.basic_auth(pull_client, CONSUMER_PASSWORD)).json()["access_token"]  # fmt: skip
    body = {"password": NEW_CONSUMER_PASSWORD, "passwordConfirmation": NEW_CONSUMER_PASSWORD, "immediate": True}
    assert api.put(f"/ccfs/{NIT}/consumer-password", json=body, headers=person).status_code == 204
    assert api.get("/sat/session", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    old = api.post("/oauth2/token", data={"grant_type": "client_credentials"},
                   headers=journeys.basic_auth(pull_client, CONSUMER_PASSWORD))  # fmt: skip
    assert old.status_code == 401
    new = api.post("/oauth2/token", data={"grant_type": "client_credentials"},
                   headers=journeys.basic_auth(pull_client, NEW_CONSUMER_PASSWORD))  # fmt: skip
    assert new.status_code == 200
    session = api.get("/sat/session", headers={"Authorization": f"Bearer {new.json()['access_token']}"})
    assert session.status_code == 200 and session.json()["ccfNit"] == NIT
    assert "inmediato" in mailbox.wait_for(caller_mail, "consumer-password-changed", count=2)["text"]
