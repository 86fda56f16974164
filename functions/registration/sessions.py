"""Manual §5 Paso 6: sign in (password, then the TOTP code when the person has it on), refresh.

- Every credential failure is one generic 401 (decision 0022), counted per (account, source) whether the
  account exists or not; a source that keeps failing waits, answered 429 with Retry-After (decision 0028).
- A person with TOTP enabled gets `{challenge, session}` instead of tokens; POST /sessions/mfa with the
  right code releases them (decision 0029). Wrong codes count as failures of that source too.
- People get the ID token (what the API's Cognito authorizer takes) and a refresh token, never Cognito's
  access token: it would let them call Cognito's own user API around this one (decision 0027).
"""

import re
from typing import Any

from registration import login_delays, mfa
from registration.config import Deps
from registration.flow import entity, username_of
from sat_common import audit, clock
from sat_common.audit import Actor
from sat_common.errors import DomainError

# The refresh token people hold is "<username>~<Cognito refresh token>": refreshing with a confidential client
# needs the username for the SECRET_HASH, and Cognito checks that it is the token's owner (decision 0027).
REFRESH_SEPARATOR = "~"
_USERNAME = re.compile(r"^[A-Z]{2}-[A-Za-z0-9]{1,16}$")


def _session(username: str, result: dict[str, Any], refresh_token: str | None) -> dict[str, Any]:
    return {
        "idToken": result["IdToken"],
        "refreshToken": f"{username}{REFRESH_SEPARATOR}{refresh_token}" if refresh_token else None,
        "expiresIn": int(result.get("ExpiresIn", 3600)),
        "tokenType": result.get("TokenType", "Bearer"),
    }


def _policy(deps: Deps) -> login_delays.Policy:
    settings = deps.settings
    return login_delays.Policy(
        free_failures=settings.login_free_failures,
        base_seconds=settings.login_delay_base_seconds,
        max_seconds=settings.login_delay_max_seconds,
        memory_seconds=settings.login_delay_memory_hours * 3600,
    )


def _wait_if_delayed(deps: Deps, username: str, source: str, now: int) -> dict[str, Any] | None:
    """The source's delay item (None without one); 429 while the source must wait. Nothing is asked of
    Cognito meanwhile, so waiting costs the attacker guesses, not the owner their account."""
    item = login_delays.delay_item(deps.store, username, source)
    until = login_delays.waiting_until(item, now)
    if until is not None:
        wait = until - now
        raise DomainError(
            code="LOGIN_DELAYED", status=429, params={"seconds": wait}, headers={"Retry-After": str(wait)}
        )
    return item


def _failed(deps: Deps, username: str, source: str, now: int, actor: Actor, action: str) -> None:
    outcome = login_delays.record_failure(deps.store, username, source, now, _policy(deps))
    details: dict[str, Any] = {"failures": outcome.failures}
    if outcome.delay_until:
        details["delaySeconds"] = outcome.delay_until - now
    audit.record(deps.settings.audit_table_name, entity(username), action, actor, details)


def _succeeded(deps: Deps, username: str, source: str, delay_item: Any, actor: Actor, mfa_used: bool) -> None:
    if delay_item:  # only this source's count: a success elsewhere must not help an attacker here
        login_delays.clear(deps.store, username, source)
    audit.record(
        deps.settings.audit_table_name,
        entity(username),
        "LOGIN_SUCCEEDED",
        Actor(username, actor.source_ip, actor.user_agent),
        {"mfa": mfa_used},
    )


def sign_in(deps: Deps, document_type: str, document_number: str, password: str, actor: Actor) -> dict[str, Any]:
    username = username_of(document_type, document_number.upper())
    source = login_delays.source_of(actor.source_ip)
    now = clock.epoch()
    delay_item = _wait_if_delayed(deps, username, source, now)
    result = deps.pool.sign_in(username, password)
    if result is None:
        _failed(deps, username, source, now, actor, "LOGIN_FAILED")
        raise DomainError(code="INVALID_CREDENTIALS", status=401, headers={"WWW-Authenticate": "Bearer"})
    if mfa.is_enabled(mfa.status(deps, username)):
        # The source's failures stay counted until the code is right too: a known password must not
        # reset the count of wrong codes.
        session = mfa.open_challenge(deps, username, str(result["RefreshToken"]), now)
        audit.record(deps.settings.audit_table_name, entity(username), "LOGIN_MFA_REQUESTED", actor)
        return {"challenge": mfa.CHALLENGE, "session": session}
    _succeeded(deps, username, source, delay_item, actor, mfa_used=False)
    return _session(username, result, result.get("RefreshToken"))


def _mfa_session_invalid() -> DomainError:
    return DomainError(code="MFA_SESSION_INVALID", status=401, headers={"WWW-Authenticate": "Bearer"})


def complete_mfa(deps: Deps, session: str, code: str, actor: Actor) -> dict[str, Any]:
    now = clock.epoch()
    challenge = mfa.find_challenge(deps, session, now)
    if challenge is None:
        raise _mfa_session_invalid()
    username = str(challenge["username"])
    source = login_delays.source_of(actor.source_ip)
    delay_item = _wait_if_delayed(deps, username, source, now)
    if not mfa.verify_sign_in_code(deps, username, code, now):
        mfa.count_wrong_code(deps, session)
        _failed(deps, username, source, now, actor, "LOGIN_MFA_FAILED")
        raise DomainError(code="MFA_CODE_INVALID", status=401, headers={"WWW-Authenticate": "Bearer"})
    refresh_token = mfa.take_challenge(deps, session, challenge)
    if refresh_token is None:
        raise _mfa_session_invalid()
    result = deps.pool.refresh(username, refresh_token)
    if result is None:  # e.g. disabled in the meantime
        raise _mfa_session_invalid()
    _succeeded(deps, username, source, delay_item, actor, mfa_used=True)
    return _session(username, result, refresh_token)


def logout(deps: Deps, username: str, packed: str, actor: Actor) -> None:
    """POST /sessions/logout: the caller's own refresh token is revoked in Cognito, so POST /sessions/refresh
    with it answers 401 afterwards. Another person's token (by its username prefix) is refused, untouched."""
    owner, _, refresh_token = packed.partition(REFRESH_SEPARATOR)
    # RevokeToken does not check whose token it is: a refresh with the caller's SECRET_HASH does (decision 0027),
    # so a token of someone else under the caller's name is refused, not revoked.
    mine = owner == username and bool(refresh_token) and deps.pool.refresh(username, refresh_token) is not None
    if not mine or not deps.pool.revoke(refresh_token):
        raise DomainError(code="INVALID_REFRESH_TOKEN", status=401, headers={"WWW-Authenticate": "Bearer"})
    audit.record(deps.settings.audit_table_name, entity(username), "LOGOUT", actor)


def refresh(deps: Deps, packed: str) -> dict[str, Any]:
    username, _, refresh_token = packed.partition(REFRESH_SEPARATOR)
    result = deps.pool.refresh(username, refresh_token) if _USERNAME.match(username) and refresh_token else None
    if result is None:
        raise DomainError(code="INVALID_REFRESH_TOKEN", status=401, headers={"WWW-Authenticate": "Bearer"})
    return _session(username, result, None)
