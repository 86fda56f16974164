"""Changing the account's e-mail (PUT /me/email, POST /me/email/confirmation), decision 0076.

The new address proves itself: it gets a single-use, expiring link (the welcome link's mechanism, decision
0023: only SHA-256(token) is stored, the newest link replaces the older). Confirming it, signed in as the same
person, changes the Cognito attribute `email` (Admin API) and the profile, and the old address is told.
"""

from typing import Any

from registration import notices
from registration.config import Deps
from registration.flow import ACTIVE, entity, stamp
from registration.repositories import accounts, profiles
from registration.repositories import email_changes as pending_changes
from registration.repositories.people import person_items
from sat_common import audit, clock, keys, tokens
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError
from sat_common.observability import logger

DAY = 86_400


def request_change(deps: Deps, caller: Caller, new_email: str, actor: Actor) -> dict[str, Any]:
    settings, store = deps.settings, deps.store
    username = caller.username
    items = person_items(store, username)
    profile, account = items.get(keys.PROFILE), items.get(keys.ACCOUNT) or {}
    if not profile or account.get("status") != ACTIVE:
        raise DomainError(code="PROFILE_NOT_FOUND", status=404)
    now = clock.epoch()
    pending = items.get(keys.EMAIL_CHANGE) or {}
    window_start = int(pending.get("windowStart", 0))
    sent = int(pending.get("sentInWindow", 0)) if now < window_start + DAY else 0
    if sent >= settings.email_change_max_per_day:  # every link is an e-mail to an address the caller chose
        wait = max(1, window_start + DAY - now)
        raise DomainError(
            code="EMAIL_CHANGE_LIMITED", status=429, params={"seconds": wait}, headers={"Retry-After": str(wait)}
        )
    if sent == 0:
        window_start = now

    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    token_end = now + settings.email_change_token_hours * 3600
    version = int(pending.get("version", 0))
    try:  # the quota and the newest link in one conditional write: concurrent requests cannot exceed it
        pending_changes.request_change(
            store,
            username,
            version=version,
            new_email=new_email,
            token_hash=token_hash,
            token_expires_at=token_end,
            window_start=window_start,
            sent=sent + 1,
            expires_at=max(token_end, window_start + DAY),
            at=stamp(now),
        )
    except ConditionFailed:
        raise DomainError(code="EMAIL_CHANGE_CONFLICT", status=409) from None
    pending_changes.put_link(store, token_hash, username, new_email, token_end, stamp(now))
    notices.send_email_change_link(
        settings,
        to=new_email,
        name=notices.display_name(str(profile.get("firstName")), str(profile.get("firstSurname"))),
        token=token,
        token_hash=token_hash,
    )
    audit.record(settings.audit_table_name, entity(username), "EMAIL_CHANGE_REQUESTED", actor)
    return {"email": new_email, "linkExpiresAt": stamp(token_end)}


def _invalid_link() -> DomainError:
    return DomainError(code="EMAIL_CHANGE_TOKEN_INVALID", status=400)


def confirm_change(deps: Deps, caller: Caller, token: str, actor: Actor) -> None:
    """Only the person who asked, signed in, confirms: a link forwarded to someone else changes nothing."""
    settings, store = deps.settings, deps.store
    username = caller.username
    token_hash = tokens.token_hash(token)
    now = clock.epoch()
    item = pending_changes.get_link(store, token_hash)
    if not item or int(item["expiresAt"]) <= now or item["username"] != username:
        raise _invalid_link()
    new_email = str(item["newEmail"])
    # Single use: the pending change is consumed before Cognito is called, and given back if Cognito fails.
    try:
        pending_changes.use_link(store, username, token_hash, stamp(now))
    except ConditionFailed:
        raise _invalid_link() from None  # used already, or replaced by a newer link
    try:
        deps.pool.change_email(username, new_email)
    except Exception:
        pending_changes.restore_link(store, username, token_hash)
        raise
    profile = profiles.get_profile(store, username) or {}
    old_email = str(profile.get("email") or "")
    profiles.change_email(store, username, new_email, stamp(now))
    accounts.change_email(store, username, new_email, stamp(now))
    audit.record(settings.audit_table_name, entity(username), "EMAIL_CHANGED", actor)
    if not old_email or old_email.casefold() == new_email.casefold():
        return
    try:
        notices.send_email_changed_notice(
            settings,
            to=old_email,
            name=notices.display_name(str(profile.get("firstName")), str(profile.get("firstSurname"))),
            username=username,
            at=now,
            new_email=new_email,
        )
        audit.record(settings.audit_table_name, entity(username), "EMAIL_CHANGED_NOTICE_QUEUED", actor)
    except Exception as error:  # the change stands; the failure is on record
        logger.warning("e-mail change notice not queued", extra={"errorType": type(error).__name__})
        audit.record(settings.audit_table_name, entity(username), "EMAIL_CHANGED_NOTICE_FAILED", actor)
