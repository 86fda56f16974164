"""POST /password-reset ("¿Olvidó su contraseña?", manual §5 Paso 6), decision 0075.

The answer is 202 whether or not the document has an account, and both branches do the same reads (one
Query of the person's items, one AdminGetUser) and the same quota write: neither the status nor the work
tells an account from a stranger. Only an ACTIVE account gets the e-mail: a single-use, expiring link to
the portal's /asignar-contrasena, the welcome link's mechanism (decision 0023), completed by
POST /password-setup (password_setup.set_password).
"""

from typing import Any

from registration import notices
from registration.config import Deps
from registration.flow import ACTIVE, entity, stamp, username_of
from registration.repositories import accounts, password_resets
from registration.repositories.people import person_items
from sat_common import audit, clock, keys, tokens
from sat_common.audit import Actor
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError
from sat_common.observability import logger

RESET_PURPOSE = "RESET"
WINDOW_SECONDS = 3600


def request(deps: Deps, document_type: str, document_number: str, actor: Actor) -> None:
    settings, store = deps.settings, deps.store
    username = username_of(document_type, document_number.upper())
    now = clock.epoch()
    items = person_items(store, username)
    user_status = deps.pool.user_status(username)
    counted = _count_request(deps, username, items.get(keys.PASSWORD_RESET), now)  # 429 for any document alike

    account, profile = items.get(keys.ACCOUNT) or {}, items.get(keys.PROFILE) or {}
    email = str(profile.get("email") or "")
    if not counted or account.get("status") != ACTIVE or user_status != "CONFIRMED" or not email:
        audit.record(settings.audit_table_name, entity(username), "PASSWORD_RESET_IGNORED", actor)
        return

    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    token_end = now + settings.password_reset_token_minutes * 60
    accounts.put_link(store, token_hash, username, token_end, stamp(now), purpose=RESET_PURPOSE)
    try:  # the newest link is the only valid one (decision 0023)
        accounts.point_at_reset_link(store, username, token_hash, token_end, ACTIVE, stamp(now))
    except ConditionFailed:  # disabled in the meantime
        audit.record(settings.audit_table_name, entity(username), "PASSWORD_RESET_IGNORED", actor)
        return
    try:
        notices.send_password_reset(
            settings,
            to=email,
            name=notices.display_name(str(profile.get("firstName")), str(profile.get("firstSurname"))),
            token=token,
            token_hash=token_hash,
        )
    except Exception as error:  # the caller learns nothing either way; the person can ask again
        logger.warning("password reset e-mail not queued", extra={"errorType": type(error).__name__})
        audit.record(settings.audit_table_name, entity(username), "PASSWORD_RESET_EMAIL_FAILED", actor)
        return
    audit.record(settings.audit_table_name, entity(username), "PASSWORD_RESET_EMAIL_QUEUED", actor)


def _count_request(deps: Deps, username: str, item: dict[str, Any] | None, now: int) -> bool:
    """At most `password_reset_max_per_hour` requests per document and hour, counted for every document
    (existing or not) in a conditional write, so the 429 says nothing about the account and concurrent
    requests cannot exceed it. The item expires with its window (TTL). False when a concurrent request
    (a double submission) took this slot: that one sends the e-mail."""
    settings = deps.settings
    current = item is not None and now < int(item["windowStart"]) + WINDOW_SECONDS
    start = int(item["windowStart"]) if item and current else now
    count = int(item.get("count", 0)) if item and current else 0
    if count >= settings.password_reset_max_per_hour:
        raise _limited(start + WINDOW_SECONDS - now)
    try:
        password_resets.count_request(deps.store, username, item, start, count + 1, start + WINDOW_SECONDS)
    except ConditionFailed:
        return False
    return True


def _limited(seconds: int) -> DomainError:
    seconds = max(1, int(seconds))
    return DomainError(
        code="PASSWORD_RESET_LIMITED", status=429, params={"seconds": seconds}, headers={"Retry-After": str(seconds)}
    )
