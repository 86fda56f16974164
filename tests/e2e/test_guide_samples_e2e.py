"""The CCF guide's Python and Node samples (docs/guia-servicios-web.md, examples/guide/) against the local runtime.

A CCF shares the sample CCF system (examples/sample_ccf) as its notification endpoint, set to acknowledge only;
a hook on its Flask app captures each notification exactly as it arrived (headers and body bytes). The CCF adds a
second public key (POST .../keys, decision 0102) whose private half only the guide's samples hold, so the pull's
JWE can only be read by them. For each sample, the Ministry files a trámite; the sample, run as a CCF developer
would run it (a subprocess with environment variables), verifies the captured notification, gets tokens, pulls and
decrypts the request and answers it: the trámite ends APROBADA, seen by the Ministry and in the CCF's own delivery
log. Then the verification code of both samples refuses what it must: a notification captured for this CCF given
to another CCF (aud), one whose `iat` is too old, a repeated `jti`, and a changed body.

Seed entities no other module uses: the free non-CCF companies [-22] (made a CCF here) and [-23] (the employer),
FREE["people"][-201] (authorized person) and [-202] (legal representative in the trámite).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from flask import request
from joserfc.jwk import RSAKey

from examples.sample_ccf import Config, SampleCcf
from local import exchange_journey as journey
from local import journeys
from local.testing import free_port

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PYTHON_SAMPLE = REPO / "examples/guide/python/sat_ccf_client.py"
NODE_SAMPLE = REPO / "examples/guide/node/sat-ccf-client.mjs"
FREE = journey.seed()["scenarios"]["free"]
NON_CCF = [c["nit"] for c in FREE["companies"] if not c["isCcf"]]
NIT, EMPLOYER_NIT = NON_CCF[-22], NON_CCF[-23]
OTHER_CCF_NIT = NON_CCF[-1]  # only a value: the NIT a captured notification is replayed to
AUTHORIZED, LEGAL_REP = FREE["people"][-201], FREE["people"][-202]
PERSON_PASSWORD = "la guía de la caja se prueba de punta a punta"
CONSUMER_PASSWORD = "clave de consumo con + y % y ñ para la guía"
SIDE_EFFECT_TIMEOUT = 120


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js 20+ is required to run the guide's Node sample (examples/guide/node): install node")
    if not (REPO / "node_modules/jose/package.json").exists():
        pytest.fail("the Node sample needs the npm package jose: run `npm ci` in the repository")
    return node


def _python_sample() -> ModuleType:
    spec = importlib.util.spec_from_file_location("guide_sat_ccf_client", PYTHON_SAMPLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Capture:
    """Every notification the sample CCF received, as it arrived (a test receiver: headers and exact body)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def record(self) -> None:
        if request.method == "POST" and request.path == "/notificaciones":
            body = request.get_data()  # cached by Flask: the app reads the same bytes afterwards
            headers = {name: request.headers.get(name, "") for name in ("X-JWS-Signature", "Idempotency-Key")}
            with self.lock:
                self.seen.append({"headers": headers, "body": body.decode()})

    def wait_for(self, numero: str) -> dict[str, Any]:
        deadline = time.monotonic() + SIDE_EFFECT_TIMEOUT
        while time.monotonic() < deadline:
            with self.lock:
                for item in self.seen:
                    if json.loads(item["body"]).get("numero_transaccion") == numero:
                        return item
            time.sleep(0.2)
        raise AssertionError(f"no notification for {numero} within {SIDE_EFFECT_TIMEOUT} s")


@pytest.fixture(scope="module")
def world(local_runtime: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    info = local_runtime
    api = httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT)
    ministry = journey.ministry_headers(info)
    person = journey.prepare_ccf_world_directly_in_moto(info, NIT, AUTHORIZED, PERSON_PASSWORD)
    client_ids = journey.activate_and_assign(api, ministry, person, NIT, CONSUMER_PASSWORD)
    config = Config(
        port=free_port(), api_url=info["api_url"], pull_client_id=client_ids["solicitud-afiliacion"],
        answer_client_id=client_ids["respuesta-tramite-ccf"], password=CONSUMER_PASSWORD, nit=NIT, decision="none",
    )  # fmt: skip
    ccf = SampleCcf(config)
    capture = Capture()
    ccf.app.before_request(capture.record)
    ccf.start()
    shared = journey.share_notification_endpoint(api, person, NIT, ccf)
    assert shared["status"] == "AUTHORIZED", shared
    # The guide samples' own key, added as the newest (decision 0102): the pull is encrypted to it.
    work = tmp_path_factory.mktemp("guide-samples")
    guide_key = RSAKey.generate_key(2048)
    added = api.post(
        f"/ccfs/{NIT}/shared-services/{shared['sharedServiceId']}/keys",
        json={"publicKey": guide_key.as_pem(private=False).decode()},
        headers=person,
    )
    assert added.status_code == 201 and added.json()["kid"] == guide_key.thumbprint(), added.text
    old_key_file, new_key_file = work / "llave-anterior.pem", work / "llave-nueva.pem"
    old_key_file.write_bytes(ccf.private_keys[0].as_pem(private=True))
    new_key_file.write_bytes(guide_key.as_pem(private=True))
    env = {
        **os.environ,
        "SAT_API_URL": info["api_url"],
        "SAT_CCF_NIT": NIT,
        "SAT_CLIENT_ID_SOLICITUD": client_ids["solicitud-afiliacion"],
        "SAT_CLIENT_ID_RESPUESTA": client_ids["respuesta-tramite-ccf"],
        "SAT_CONSUMER_PASSWORD": CONSUMER_PASSWORD,
        "SAT_PRIVATE_KEYS": f"{old_key_file},{new_key_file}",  # both, as during a rotation; picked by kid
    }

    class World:
        pass

    w = World()
    w.api, w.ministry, w.person, w.capture, w.env, w.work = api, ministry, person, capture, env, work
    w.waiter = journey.Waiter(api, ministry)

    def file_tramite() -> tuple[str, dict[str, Any]]:
        body = journey.tramite_request(NIT, EMPLOYER_NIT, LEGAL_REP, "guia-e2e@example.com")
        filed = api.post("/admin/tramites", json=body, headers=ministry)
        assert filed.status_code == 201, filed.text
        numero = filed.json()["numeroTransaccion"]
        return numero, capture.wait_for(numero)

    w.file_tramite = file_tramite
    try:
        yield w
    finally:
        ccf.stop()
        api.close()


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def _round_trip(world: Any, command: list[str], name: str) -> None:
    numero, notification = world.file_tramite()
    world.waiter.until(numero, lambda t: t["estado"] == "NOTIFICADA")
    notification_file = world.work / f"{name}-{numero}.json"
    notification_file.write_text(json.dumps(notification), encoding="utf-8")
    env = {**world.env, "SAT_SEEN_JTI_FILE": str(world.work / f"{name}-jti.txt")}

    done = _run([*command, "procesar", str(notification_file)], env)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["verificada"]["aud"] == NIT and result["verificada"]["jti"] == f"sat-notificacion-{numero}"
    assert result["numeroTransaccion"] == numero  # the decrypted request
    assert result["acuse"]["NumeroTransaccion"] == numero, result

    tramite = world.waiter.until(numero, lambda t: t["estado"] == "APROBADA")
    assert tramite["answer"]["ResultadoTramite"] == 1 and tramite["pulledAt"]
    own_log = world.api.get(f"/ccfs/{NIT}/tramites/{numero}", headers=world.person)
    assert own_log.status_code == 200 and own_log.json()["estado"] == "APROBADA", own_log.text

    # The same notification again (a retry after a lost acknowledgement, or a replay): not processed twice.
    again = _run([*command, "verificar", str(notification_file)], env)
    assert again.returncode == 1 and "jti ya procesado" in again.stderr, again.stdout + again.stderr


def test_python_sample_verifies_pulls_decrypts_and_answers(world):
    _round_trip(world, [sys.executable, str(PYTHON_SAMPLE)], "python")


def test_node_sample_verifies_pulls_decrypts_and_answers(world):
    _round_trip(world, [_node(), str(NODE_SAMPLE)], "node")


NODE_VERIFY = """
import { verifyNotification } from %s;
let text = '';
for await (const chunk of process.stdin) text += chunk;
const input = JSON.parse(text);
try {
  const body = new TextEncoder().encode(input.body);
  const header = await verifyNotification({ ...input, body, seenJti: new Set(input.seenJti) });
  console.log(JSON.stringify({ accepted: header.jti }));
} catch (error) {
  console.log(JSON.stringify({ refused: error.constructor.name, message: error.message }));
}
"""


def _node_verify(notification: dict[str, Any], jwks: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    arguments = {
        "signature": notification["headers"]["X-JWS-Signature"],
        "body": notification["body"],
        "jwks": jwks,
        "ownNit": NIT,
        "seenJti": [],
        "now": int(time.time()),
        "idempotencyKey": notification["headers"]["Idempotency-Key"],
        **overrides,
    }
    script = NODE_VERIFY % json.dumps(NODE_SAMPLE.as_uri())
    done = subprocess.run(
        [_node(), "--input-type=module", "-e", script],
        input=json.dumps(arguments), capture_output=True, text=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


def test_both_samples_refuse_replays_to_another_ccf_old_signatures_repeated_jti_and_changed_bodies(world):
    numero, notification = world.file_tramite()
    jwks = world.api.get("/.well-known/jwks.json").json()
    signature = notification["headers"]["X-JWS-Signature"]
    key = notification["headers"]["Idempotency-Key"]
    body = notification["body"].encode()
    protected = signature.split(".")[0]
    iat = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))["iat"]
    sample = _python_sample()

    def python_verify(**overrides: Any) -> Any:
        a = {"body": body, "own_nit": NIT, "seen_jti": set(), "now": time.time(), **overrides}
        return sample.verify_notification(
            signature, a["body"], jwks, a["own_nit"], a["seen_jti"], a["now"], idempotency_key=key
        )

    # The genuine notification verifies in both (the control for every refusal below).
    assert python_verify()["jti"] == key
    assert _node_verify(notification, jwks) == {"accepted": key}

    # Captured for this CCF, replayed to another: refused by the other CCF's check of `aud`.
    with pytest.raises(sample.NotificationRejected, match="otra caja"):
        python_verify(own_nit=OTHER_CCF_NIT)
    replayed = _node_verify(notification, jwks, ownNit=OTHER_CCF_NIT)
    assert replayed["refused"] == "NotificationRejected" and "otra caja" in replayed["message"]
    other_env = {**world.env, "SAT_CCF_NIT": OTHER_CCF_NIT, "SAT_SEEN_JTI_FILE": str(world.work / "otra-jti.txt")}
    notification_file = world.work / f"replay-{numero}.json"
    notification_file.write_text(json.dumps(notification), encoding="utf-8")
    for command in ([sys.executable, str(PYTHON_SAMPLE)], [_node(), str(NODE_SAMPLE)]):
        refused = _run([*command, "verificar", str(notification_file)], other_env)
        assert refused.returncode == 1 and "otra caja (aud)" in refused.stderr, refused.stdout + refused.stderr

    # Signed more than 5 minutes ago (a captured notification replayed later): refused.
    with pytest.raises(sample.NotificationRejected, match="iat"):
        python_verify(now=iat + 301)
    assert "iat" in _node_verify(notification, jwks, now=iat + 301)["message"]

    # A jti already processed: not processed again (the receiver answers the stored acknowledgement).
    with pytest.raises(sample.AlreadyProcessed):
        python_verify(seen_jti={key})
    assert _node_verify(notification, jwks, seenJti=[key])["refused"] == "AlreadyProcessed"

    # A body changed on the way (another transaction number): the signature does not verify.
    changed = notification["body"].replace(numero, numero[:-1] + str((int(numero[-1]) + 1) % 10))
    with pytest.raises(sample.NotificationRejected, match="firma inválida"):
        python_verify(body=changed.encode())
    assert "firma inválida" in _node_verify({**notification, "body": changed}, jwks)["message"]
