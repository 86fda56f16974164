"""Two-step verification with TOTP (RFC 6238), required of Ministry operators (decision 0029).

The secret is generated here and stored only encrypted with the MFA KMS key, bound by encryption context to
the person (a ciphertext copied to another person's item does not decrypt); no other function may decrypt.
A code is good for its 30-second step and one step either side (clock drift), once: the step it matched is
kept and no earlier or equal step is accepted again (RFC 6238 §5.2).

A sign-in whose password is right but still needs the code keeps Cognito's refresh token, encrypted, in a
short single-use challenge item; the right code turns it into the session (sessions.py).
"""

import base64
import hmac
from typing import Any

from registration.config import Deps
from registration.flow import entity, stamp
from registration.repositories import totp
from sat_common import audit, aws, clock, tokens
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError
from sat_common.ministry import TOTP_ENABLED

ISSUER = "MinSalud SAT"
STEP_SECONDS = 30
DRIFT_STEPS = 1
PENDING = "PENDING"
CHALLENGE = "SOFTWARE_TOKEN_MFA"
TOTP_SECRET_PURPOSE = "totp-secret"  # noqa: S105 (an encryption-context value)
CHALLENGE_PURPOSE = "mfa-challenge"


# --- the secret, encrypted ------------------------------------------------------------------------------


def _encrypt(deps: Deps, plaintext: str, purpose: str, username: str) -> str:
    blob = aws.client("kms").encrypt(
        KeyId=deps.settings.mfa_key_id,
        Plaintext=plaintext.encode(),
        EncryptionContext={"purpose": purpose, "username": username},
    )["CiphertextBlob"]
    return base64.b64encode(blob).decode()


def _decrypt(deps: Deps, ciphertext: str, purpose: str, username: str) -> str:
    plaintext = aws.client("kms").decrypt(
        KeyId=deps.settings.mfa_key_id,
        CiphertextBlob=base64.b64decode(ciphertext),
        EncryptionContext={"purpose": purpose, "username": username},
    )["Plaintext"]
    return bytes(plaintext).decode()


def matching_step(secret: str, code: str, now: int, after: int | None = None) -> int | None:
    """The time step (within the drift allowed) whose code this is, if it is later than `after`."""
    import pyotp

    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = now // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


# --- enrolment: POST and PUT /me/mfa/totp ----------------------------------------------------------------


def status(deps: Deps, username: str) -> dict[str, Any] | None:
    return totp.get_totp(deps.store, username)


def is_enabled(item: dict[str, Any] | None) -> bool:
    return bool(item) and item.get("status") == TOTP_ENABLED  # type: ignore[union-attr]


def start_enrolment(deps: Deps, caller: Caller, actor: Actor) -> dict[str, str]:
    """A new secret for the caller's authenticator app. An enabled TOTP is never replaced by a session alone
    (a stolen ID token must not move the second factor to the thief's phone): that takes the help desk."""
    import pyotp

    now = clock.epoch()
    secret = pyotp.random_base32()  # 160 bits, as RFC 4226 §4 recommends
    try:
        totp.start_enrolment(
            deps.store,
            caller.username,
            _encrypt(deps, secret, TOTP_SECRET_PURPOSE, caller.username),
            PENDING,
            TOTP_ENABLED,
            stamp(now),
            now + deps.settings.mfa_enrolment_minutes * 60,
        )
    except ConditionFailed:
        raise DomainError(code="MFA_ALREADY_ENABLED", status=409) from None
    audit.record(deps.settings.audit_table_name, entity(caller.username), "MFA_TOTP_ENROLMENT_STARTED", actor)
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=caller.username, issuer_name=ISSUER)
    return {"secretCode": secret, "otpauthUri": uri}


def confirm_enrolment(deps: Deps, caller: Caller, code: str, actor: Actor) -> None:
    now = clock.epoch()
    item = status(deps, caller.username)
    if not item or item.get("status") != PENDING or int(item.get("pendingUntil", 0)) <= now:
        raise DomainError(code="MFA_ENROLMENT_NOT_STARTED", status=409)
    step = matching_step(_decrypt(deps, item["secret"], TOTP_SECRET_PURPOSE, caller.username), code, now)
    if step is None:
        raise DomainError(code="MFA_CODE_INVALID", status=422, errors=[FieldError("code", "mfa_code_invalid")])
    try:  # the enrolment whose code this is
        totp.enable(deps.store, caller.username, item["secret"], PENDING, TOTP_ENABLED, stamp(now), step)
    except ConditionFailed:
        raise DomainError(code="MFA_ENROLMENT_NOT_STARTED", status=409) from None
    audit.record(deps.settings.audit_table_name, entity(caller.username), "MFA_TOTP_ENABLED", actor)


def verify_sign_in_code(deps: Deps, username: str, code: str, now: int) -> bool:
    """True once per code: the step it matched becomes the last one used (a conditional write, so two
    requests racing with the same code cannot both pass)."""
    item = status(deps, username)
    if not is_enabled(item):
        return False
    assert item is not None
    last = int(item["lastStep"]) if item.get("lastStep") is not None else None
    step = matching_step(_decrypt(deps, item["secret"], TOTP_SECRET_PURPOSE, username), code, now, after=last)
    if step is None:
        return False
    try:
        totp.use_step(deps.store, username, step, TOTP_ENABLED)
    except ConditionFailed:
        return False
    return True


# --- the challenge between POST /sessions and POST /sessions/mfa ----------------------------------------


def open_challenge(deps: Deps, username: str, refresh_token: str, now: int) -> str:
    session = tokens.new_token()
    totp.open_challenge(
        deps.store,
        tokens.token_hash(session),
        username,
        _encrypt(deps, refresh_token, CHALLENGE_PURPOSE, username),
        now + deps.settings.mfa_challenge_seconds,
    )
    return session


def find_challenge(deps: Deps, session: str, now: int) -> dict[str, Any] | None:
    item = totp.get_challenge(deps.store, tokens.token_hash(session))
    return item if item and int(item["expiresAt"]) > now else None


def count_wrong_code(deps: Deps, session: str) -> None:
    """One more wrong code for this challenge; the last allowed one ends it."""
    session_hash = tokens.token_hash(session)
    try:
        attempts = totp.count_wrong_code(deps.store, session_hash)
    except ConditionFailed:
        return
    if attempts >= deps.settings.mfa_max_attempts:
        totp.end_challenge(deps.store, session_hash)


def take_challenge(deps: Deps, session: str, challenge: dict[str, Any]) -> str | None:
    """Consume the challenge (single use) and give back the refresh token it kept; None if already used."""
    try:
        totp.take_challenge(deps.store, tokens.token_hash(session))
    except ConditionFailed:
        return None
    return _decrypt(deps, challenge["refresh"], CHALLENGE_PURPOSE, str(challenge["username"]))
