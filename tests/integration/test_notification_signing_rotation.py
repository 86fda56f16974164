"""The Ministry's notification signature binds its context and its key rotates without losing anything (decisions
0102-0104), on moto with the sample CCF's own verification code (examples/sample_ccf/ministry.py):

- a notification captured for one CCF is refused by another (aud), as are an old one (iat), a changed header and a
  jti that is not the Idempotency-Key; PyJWT verifies the same signature in a few lines;
- `ops signing-key rotate`: next becomes current, the old current stays published, the key that leaves is
  scheduled for deletion, a too-young next refuses; every signature verifies with the JWKS of its time;
- continuous trámites while the Ministry rotates twice and the CCF rotates its pull key: 0 notifications lost,
  0 pulls undecryptable.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import jwt
import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from examples.sample_ccf import Config
from examples.sample_ccf.ministry import MinistryJwks, SignatureError, decrypt
from ops.errors import OpsError
from ops.signing_key import rotate
from ops.target import Target
from sat_common import clock, notification_signing
from tests.integration.exchange_support import (  # noqa: F401 (world_fixture: the "world" fixture)
    CCF_NIT,
    OTHER_NIT,
    deliver,
    system_context,
    world_fixture,
)

BASE = "alias/sat-ccf-test-notification-signing"
ALIASES = notification_signing.slot_aliases(BASE)
BODY = json.dumps({"numero_transaccion": "101", "estado_flujo": "PENDIENTE_RESPUESTA_CCF"}).encode()
JTI = "sat-notificacion-101"


@pytest.fixture(name="rotating")
def rotating_fixture(world, monkeypatch) -> Iterator[Any]:
    """The world with the stack's layout: `current` on the world's key, `next` on a second key, env = aliases."""
    kms = boto3.client("kms")
    upcoming = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=ALIASES["current"], TargetKeyId=world.signing_key_id)
    kms.create_alias(AliasName=ALIASES["next"], TargetKeyId=upcoming)
    monkeypatch.setenv("NOTIFICATION_SIGNING_KEY_ID", ALIASES["current"])
    monkeypatch.setenv("NOTIFICATION_SIGNING_NEXT_KEY_ID", ALIASES["next"])
    monkeypatch.setenv("NOTIFICATION_SIGNING_PREVIOUS_KEY_ID", ALIASES["previous"])
    _reset()
    yield world
    _reset()
    clock.reset()


def _reset() -> None:
    from notifications import config as notifications_config

    from exchange import config

    config.settings.cache_clear()
    notifications_config.settings.cache_clear()
    notifications_config.deps.cache_clear()


def _target() -> Target:
    return Target(
        stack_name="SatCcf-test",
        region="us-east-1",
        outputs={"NotificationSigningAlias": BASE},
        _session=boto3.Session(),
    )


def _kids(jwks: dict[str, Any]) -> list[str]:
    return [key["kid"] for key in jwks["keys"]]


def _header(detached: str) -> dict[str, Any]:
    protected = detached.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4))))


def _verifier(jwks: dict[str, Any], nit: str = CCF_NIT) -> MinistryJwks:
    return MinistryJwks(Config(nit=nit, jwks=jwks))


def test_a_notification_captured_for_one_ccf_is_refused_by_another(rotating):
    jwks = rotating.jwks()
    signature = notification_signing.Signer(ALIASES["current"]).sign(BODY, audience=CCF_NIT, jti=JTI)
    header = _verifier(jwks).verify(BODY, signature, nit=CCF_NIT, idempotency_key=JTI)
    assert {k: header[k] for k in ("typ", "aud", "jti", "cty")} == {
        "typ": "sat-notificacion+jws", "aud": CCF_NIT, "jti": JTI, "cty": "json"
    }  # fmt: skip
    assert header["kid"] == _kids(jwks)[0] and abs(header["iat"] - clock.epoch()) <= 5

    with pytest.raises(SignatureError, match="aud"):  # replayed to CCF B
        _verifier(jwks, OTHER_NIT).verify(BODY, signature, nit=OTHER_NIT, idempotency_key=JTI)
    with pytest.raises(SignatureError, match="jti"):
        _verifier(jwks).verify(BODY, signature, nit=CCF_NIT, idempotency_key="sat-notificacion-102")
    # The header cannot be edited to name CCF B: it is under the signature.
    forged = dict(header, aud=OTHER_NIT)
    protected = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(SignatureError, match="bad signature"):
        _verifier(jwks, OTHER_NIT).verify(
            BODY, f"{protected}..{signature.split('.')[2]}", nit=OTHER_NIT, idempotency_key=JTI
        )
    # An old capture: iat outside the window (the Ministry signs again at every attempt).
    clock.freeze(clock.now() - timedelta(seconds=600))
    old = notification_signing.Signer(ALIASES["current"]).sign(BODY, audience=CCF_NIT, jti=JTI)
    clock.reset()
    with pytest.raises(SignatureError, match="iat"):
        _verifier(jwks).verify(BODY, old, nit=CCF_NIT, idempotency_key=JTI)

    # A mainstream library in a few lines: PyJWT, the body put back between the two dots (RFC 7515 appendix F).
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == header["kid"]))
    protected, _, sig = signature.split(".")
    attached = f"{protected}.{base64.urlsafe_b64encode(BODY).rstrip(b'=').decode()}.{sig}"
    decoded = jwt.api_jws.decode_complete(attached, key, algorithms=["RS256"])
    assert decoded["header"]["aud"] == CCF_NIT and decoded["payload"] == BODY


def test_rotation_keeps_every_signature_verifiable_with_the_jwks_of_its_time(rotating):
    kms = boto3.client("kms")
    before = rotating.jwks()
    first, second = _kids(before)
    signer = notification_signing.Signer(ALIASES["current"])  # long-lived, like the worker's
    early = signer.sign(BODY, audience=CCF_NIT, jti=JTI)
    assert _header(early)["kid"] == first

    with pytest.raises(OpsError, match="published for"):
        rotate(_target(), dry_run=False, min_published_seconds=3600)
    planned = rotate(_target(), dry_run=True, min_published_seconds=0)
    assert any("would point" in line for line in planned) and rotating.jwks() == before  # dry run: no change
    rotate(_target(), dry_run=False, min_published_seconds=0)
    after = rotating.jwks()
    assert _kids(after)[0] == second and _kids(after)[2] == first and len(set(_kids(after))) == 3

    # The signer's cached mapping is stale: KMS answers which key signed and the header follows it.
    late = signer.sign(BODY, audience=CCF_NIT, jti=JTI)
    assert _header(late)["kid"] == second
    for signature, jwks in ((early, before), (early, after), (late, after), (late, before)):
        # `late` verifies even with the JWKS cached before the rotation: next was published already.
        _verifier(jwks).verify(BODY, signature, nit=CCF_NIT, idempotency_key=JTI)

    leaving = kms.describe_key(KeyId=ALIASES["previous"])["KeyMetadata"]["KeyId"]
    rotate(_target(), dry_run=False, min_published_seconds=0)
    assert first not in _kids(rotating.jwks()) and _kids(rotating.jwks())[2] == second
    assert kms.describe_key(KeyId=leaving)["KeyMetadata"]["KeyState"] == "PendingDeletion"


class JwksServer:
    """The JWKS route over HTTP, so the sample CCF fetches it when a notification names an unknown kid."""

    def __init__(self, world: Any) -> None:
        def app(environ: Any, start_response: Any) -> Any:
            Request(environ)
            return Response(json.dumps(world.jwks()), content_type="application/json")(environ, start_response)

        self.server = make_server("127.0.0.1", 0, app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


def test_continuous_tramites_through_both_rotations_lose_nothing(rotating):
    world, ccf = rotating, rotating.ccf
    jwks_server = JwksServer(world)
    ccf.config.jwks, ccf.config.jwks_url = None, jwks_server.url  # fetch, and again on an unknown kid
    world.register_notification_service(public_key=ccf.public_key_pem)
    outcomes, decrypted, kids = [], 0, set()
    try:
        for index in range(8):
            if index in (2, 6):  # the Ministry rotates its signing key
                rotate(_target(), dry_run=False, min_published_seconds=0)
            if index == 4:  # the CCF rotates its pull key: new key first (both decrypt), then the old one goes
                old_kid = ccf.private_keys[0].thumbprint()
                world.register_notification_service(public_key=ccf.add_key())
            numero = world.file()["numeroTransaccion"]
            outcomes.append(deliver(world))
            pulled = world.exchange(
                "POST", "/sat/solicitud-afiliacion", context=system_context(), body={"numeroTransaccion": numero}
            )
            assert pulled["statusCode"] == 200, pulled["body"]
            kids.add(_header(pulled["body"])["kid"])
            if decrypt(pulled["body"], ccf.private_keys)["numeroTransaccion"] == numero:
                decrypted += 1
            if index == 5:
                ccf.drop_key(old_kid)
    finally:
        jwks_server.stop()
    summary = ccf.summary()
    assert outcomes == ["ACUSADA"] * 8, outcomes
    assert summary["refused"] == [] and len(summary["notifications"]) == 8
    assert decrypted == 8 and len(kids) == 2  # the pull followed the CCF's newest key
