"""The Ministry's operators and their groups (docs/backoffice.md "Operators", decision 0090): list, invite,
change groups, disable. Only the administrator group `ministerio` reaches these (the handler checks it live).

An invited operator is a person of the people pool like any other: the account is created without a usable
password and the invitation e-mail carries the registration area's single-use set-password link (decision 0023)
with the purpose OPERATOR_INVITE, completed by POST /password-setup (password_setup.set_password). TOTP is enrolled at
the first sign-in (decision 0029: /admin answers MFA_REQUIRED until then).
"""

import dataclasses
import re
from typing import Any

from registration import notices
from registration.config import Deps
from registration.flow import ACTIVE, PASSWORD_PENDING, entity, stamp, username_of
from registration.operator_directory import OperatorAccount
from registration.operator_models import OperatorChange, OperatorInvite
from registration.repositories import accounts, profiles
from registration.repositories.people import person_items, profiles_and_totp
from sat_common import audit, clock, keys, tokens
from sat_common.audit import Actor
from sat_common.auth import Caller
from sat_common.dynamo import ConditionFailed
from sat_common.errors import DomainError, FieldError, invalid, not_found
from sat_common.items import decode_page_token, encode_page_token
from sat_common.ministry import TOTP_ENABLED
from sat_common.operator_groups import ADMINISTRATOR

OPERATOR_INVITE = "OPERATOR_INVITE"  # the set-password token's purpose (password_setup.set_password)
USERNAME = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,16}$")


# --- GET /admin/operators -------------------------------------------------------------------------------


def list_operators(deps: Deps, limit: int, page_token: str | None) -> dict[str, Any]:
    """Everyone in an operator group, ordered by username. The token holds the last username of the page (a
    client can only move within the same list, which the administrator may read whole anyway)."""
    after = ""
    if page_token:
        try:
            key = decode_page_token(page_token, ("after",), accept=lambda key: bool(USERNAME.fullmatch(key["after"])))
        except DomainError:  # the same refusal, named after this route's query parameter
            raise invalid([FieldError("pageToken", "next_token_invalid")]) from None
        after = key["after"]
    members = deps.directory.members()
    remaining = sorted(username for username in members if username > after)
    page = remaining[:limit]
    views = _views(deps, [members[username] for username in page])
    more = len(remaining) > limit
    return {"items": views, "nextPageToken": encode_page_token({"after": page[-1]}) if more and page else None}


def _views(deps: Deps, operator_accounts: list[OperatorAccount]) -> list[dict[str, Any]]:
    """Each account with its PROFILE (names) and TOTP state: one BatchGetItem per 50 operators."""
    found = profiles_and_totp(deps.store, [account.username for account in operator_accounts])
    return [_view(account, *found[account.username]) for account in operator_accounts]


def _view(account: OperatorAccount, profile: dict[str, Any] | None, mfa: dict[str, Any] | None) -> dict[str, Any]:
    document_type, _, document_number = account.username.partition("-")
    profile = profile or {}
    mfa = mfa or {}
    names = profile.get("names") or " ".join(
        str(part) for part in (profile.get("firstName"), profile.get("firstSurname")) if part
    )
    return {
        "operatorId": account.username,
        "documentType": document_type,
        "documentNumber": document_number,
        "names": names or account.names,
        "email": account.email or profile.get("email"),
        "groups": sorted(account.groups),
        "enabled": account.enabled,
        "totpEnabled": mfa.get("status") == TOTP_ENABLED,
        "status": "ACTIVE" if account.user_status == "CONFIRMED" else "INVITED",
    }


def operator(deps: Deps, username: str) -> dict[str, Any]:
    account = deps.directory.account(username)
    if account is None or not account.groups:
        raise not_found()
    return _views(deps, [account])[0]


# --- POST /admin/operators ----------------------------------------------------------------------------


def invite(deps: Deps, request: OperatorInvite, actor: Actor) -> dict[str, Any]:
    """A new operator: an active person only joins the groups; anyone else (no account, or one still waiting for
    its password, e.g. an earlier invitation) gets the set-password link at `email`, which replaces any earlier
    link. 409 OPERATOR_EXISTS for someone already an operator with a password."""
    settings, store = deps.settings, deps.store
    username = username_of(request.documentType, request.documentNumber)
    account = deps.directory.account(username)
    items = person_items(store, username)
    active = account is not None and (
        (items.get(keys.ACCOUNT) or {}).get("status") == ACTIVE or account.user_status == "CONFIRMED"
    )
    if account and account.groups and active:
        raise DomainError(code="OPERATOR_EXISTS", status=409, params={"operatorId": username})
    groups = frozenset(request.groups)
    invited = False
    if active:
        assert account is not None
        deps.directory.set_groups(username, account.groups, groups)
    else:
        first_name, surname, names = _names(deps, request)
        deps.pool.ensure_user(username, request.email)  # created without a usable password, or its e-mail updated
        _put_profile(deps, request, username, first_name, surname, names)
        token, token_hash = _new_link(deps, username, request.email)
        deps.directory.set_groups(username, account.groups if account else frozenset(), groups)
        if token:
            notices.send_operator_invitation(settings, to=request.email, name=names, token=token, token_hash=token_hash)
            invited = True
        # else: the account became active meanwhile (its owner set the password): only the groups change
    details = {"operatorId": username, "groups": sorted(groups), "invited": invited}
    audit.record(settings.audit_table_name, entity(username), "OPERATOR_INVITED", actor, details)
    return {**operator(deps, username), "invited": invited}


def _names(deps: Deps, request: OperatorInvite) -> tuple[str | None, str | None, str]:
    """(first name, surname, display name): the reference source's when it knows the document, else the typed
    names (422 when neither)."""
    person = deps.reference.person(request.documentType, request.documentNumber)
    if request.names:
        return (person.firstName, person.firstSurname, request.names) if person else (None, None, request.names)
    if person is None:
        raise invalid([FieldError("names", "missing")])
    return person.firstName, person.firstSurname, notices.display_name(person.firstName, person.firstSurname)


def _put_profile(
    deps: Deps, request: OperatorInvite, username: str, first_name: str | None, surname: str | None, names: str
) -> None:
    """A PROFILE for the account (kept when the person has one: only the e-mail the link goes to changes)."""
    now = stamp(clock.epoch())
    try:
        profiles.create_profile(
            deps.store,
            username,
            {
                "documentType": request.documentType,
                "documentNumber": request.documentNumber,
                **({"firstName": first_name} if first_name else {}),
                **({"firstSurname": surname} if surname else {}),
                "names": names,
                "email": request.email,
                "createdAt": now,
                "createdBy": "OPERATOR_INVITE",
            },
        )
    except ConditionFailed:
        profiles.change_email(deps.store, username, request.email, now)


def _new_link(deps: Deps, username: str, email: str) -> tuple[str | None, str]:
    """The SETPWD token (purpose OPERATOR_INVITE) and the ACCOUNT pointing at it, so that only the newest link
    works (decision 0023). (None, "") when the account is active already."""
    settings, store = deps.settings, deps.store
    now = clock.epoch()
    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    end = now + settings.setup_token_hours * 3600
    accounts.put_link(store, token_hash, username, end, stamp(now), purpose=OPERATOR_INVITE)
    try:
        accounts.point_at_invitation_link(store, username, email, token_hash, end, PASSWORD_PENDING, ACTIVE, stamp(now))
    except ConditionFailed:
        return None, ""
    return token, token_hash


# --- PATCH /admin/operators/{operatorId} --------------------------------------------------------------


def change(deps: Deps, caller: Caller, username: str, request: OperatorChange, actor: Actor) -> dict[str, Any]:
    if request.groups is None and request.enabled is None:
        raise invalid([FieldError("groups", "operator_change_empty")])
    account = deps.directory.account(username)
    if account is None or not account.groups:
        raise not_found()
    groups = frozenset(request.groups) if request.groups is not None else account.groups
    enabled = account.enabled if request.enabled is None else request.enabled
    if username == caller.username and (ADMINISTRATOR not in groups or not enabled):
        raise DomainError(code="OPERATOR_SELF_LOCKOUT", status=409)
    deps.directory.set_groups(username, account.groups, groups)
    if request.enabled is False:  # also when disabled already: any session left is signed out again
        deps.directory.disable(username)
    elif request.enabled and not account.enabled:
        deps.directory.enable(username)
    details = {
        "operatorId": username,
        "reason": request.reason,
        "groupsBefore": sorted(account.groups),
        "groupsAfter": sorted(groups),
        "enabledBefore": account.enabled,
        "enabledAfter": enabled,
    }
    audit.record(deps.settings.audit_table_name, entity(username), "OPERATOR_UPDATED", actor, details)
    if not groups:  # no longer an operator: the answer is what they were left with
        return _views(deps, [dataclasses.replace(account, groups=frozenset(), enabled=enabled)])[0]
    return operator(deps, username)
