"""The first Ministry administrator (decision 0070): a person of the people pool in the group `ministerio`, with
no usable password until they set one through a single-use link e-mailed to them.

The link is the registration area's own (decision 0023): the same items (PROFILE, ACCOUNT with the token's
SHA-256, the SETPWD token and a REGISTRATION record), written with functions/registration/repositories/'
operations where they exist and ops.repositories.operators for the bootstrap's own, so `POST /password-setup`
accepts it as any other. The e-mail goes through the outbox (template
`operator-invitation`). On their first sign-in the operator must enable TOTP before /admin answers
(decision 0029: POST /me/mfa/totp, then PUT /me/mfa/totp with a code).

Idempotent: an active operator is only checked (and put back in the group); a pending one gets a new link
only with `resend_link`, which also makes every earlier link invalid.
"""

from __future__ import annotations

import secrets
import string
import uuid
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlencode

from pydantic import AfterValidator, ConfigDict, Field, ValidationError

from ops import target as outputs
from ops.errors import USAGE, OpsError
from ops.target import Target
from sat_common.fields import DocumentNumber, DocumentType, Name, Strict, email_address
from sat_common.operator_groups import ADMINISTRATOR

if TYPE_CHECKING:
    from registration.repositories.people import Store

# The administrator group (sat_common.operator_groups): the first operator administers the others through
# /admin/operators (decision 0090), so it is never created in a narrower group.
MINISTRY_GROUP = ADMINISTRATOR
LINK_HOURS = 24  # as the registration's SETUP_TOKEN_HOURS default (decision 0023)
ACTOR = "ops-bootstrap"


class Operator(Strict):
    """Who the first administrator is, checked with the project's own field rules (sat_common.fields)."""

    model_config = ConfigDict(frozen=True)

    documentType: DocumentType
    documentNumber: DocumentNumber
    firstName: Name
    firstSurname: Name
    email: Annotated[str, Field(max_length=254), AfterValidator(email_address)]

    @property
    def username(self) -> str:
        return f"{self.documentType}-{self.documentNumber}"


def parse_operator(document: str, email: str, first_name: str, first_surname: str) -> Operator:
    """`document` is `<TYPE>-<NUMBER>` (e.g. CC-63173063), the people pool's username."""
    document_type, _, number = document.partition("-")
    try:
        return Operator(
            documentType=document_type,
            documentNumber=number,
            firstName=first_name,
            firstSurname=first_surname,
            email=email,
        )
    except ValidationError as error:
        fields = ", ".join(f"{'.'.join(str(p) for p in e['loc'])} ({e['type']})" for e in error.errors())
        raise OpsError(f"invalid administrator: {fields}", USAGE) from None


@dataclass(frozen=True)
class AdminOutcome:
    username: str
    state: str  # created | link-resent | pending | active | would-create | would-resend
    link_sent: bool


def bootstrap_operator(target: Target, operator: Operator, *, dry_run: bool, resend_link: bool) -> AdminOutcome:
    from registration.flow import ACTIVE, PASSWORD_PENDING
    from registration.repositories import accounts
    from registration.repositories.people import Store

    pool_id = target.output(outputs.PEOPLE_POOL)
    store = target.store(Store, outputs.MAIN_TABLE)
    username = operator.username
    exists = _user_exists(target, pool_id, username)
    account = accounts.get_account(store, username) or {}
    active = account.get("status") == ACTIVE
    if active or (exists and account.get("status") == PASSWORD_PENDING and not resend_link):
        if not dry_run:
            target.client("cognito-idp").admin_add_user_to_group(
                UserPoolId=pool_id, Username=username, GroupName=MINISTRY_GROUP
            )  # idempotent: puts back an operator someone removed by mistake
        return AdminOutcome(username, "active" if active else "pending", link_sent=False)
    if dry_run:
        return AdminOutcome(username, "would-resend" if exists else "would-create", link_sent=False)

    if not exists:
        target.client("cognito-idp").admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": "email", "Value": operator.email}, {"Name": "email_verified", "Value": "true"}],
            TemporaryPassword=_unusable_password(),  # nobody ever sees it: FORCE_CHANGE_PASSWORD until the link
            MessageAction="SUPPRESS",  # Cognito sends nothing of its own
        )
    idp = target.client("cognito-idp")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=MINISTRY_GROUP)
    token = _write_link_items(store, operator)
    _send_invitation(target, operator, token)
    _audit(target, username, "OPERATOR_BOOTSTRAPPED" if not exists else "OPERATOR_LINK_RESENT")
    return AdminOutcome(username, "created" if not exists else "link-resent", link_sent=True)


def _user_exists(target: Target, pool_id: str, username: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        target.client("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=username)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
            return False
        raise


def _unusable_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(40)) + "aA1!"


def _write_link_items(store: Store, operator: Operator) -> str:
    """PROFILE (kept if present), a REGISTRATION record of this bootstrap, the SETPWD token and the ACCOUNT
    pointing at it: the state the registration's contact step leaves (decision 0023)."""
    from ops.repositories import operators
    from registration.flow import ACTIVE, PASSWORD_PENDING
    from registration.repositories import accounts, profiles
    from sat_common import clock, tokens
    from sat_common.items import ConditionFailed

    username, now = operator.username, clock.now()
    at, expires_at = clock.stamp(now), clock.epoch(now) + LINK_HOURS * 3600
    token = tokens.new_token()
    token_hash = tokens.token_hash(token)
    registration_id = f"ops{uuid.uuid4().hex}"
    with suppress(ConditionFailed):  # the person has a profile already: kept as it is
        profiles.create_profile(
            store,
            username,
            {
                "documentType": operator.documentType,
                "documentNumber": operator.documentNumber,
                "firstName": operator.firstName,
                "firstSurname": operator.firstSurname,
                "email": operator.email,
                "createdAt": at,
                "createdBy": ACTOR,
            },
        )
    operators.record_bootstrap_registration(
        store,
        registration_id,
        {
            "username": username,
            "documentType": operator.documentType,
            "documentNumber": operator.documentNumber,
            "status": PASSWORD_PENDING,
            "origin": ACTOR,
            "createdAt": at,
            "updatedAt": at,
        },
    )
    accounts.put_link(store, token_hash, username, expires_at, at, registration_id=registration_id)
    # The new token becomes the only valid one; an account activated meanwhile is left alone.
    operators.point_at_bootstrap_link(
        store,
        username,
        registration_id=registration_id,
        email=operator.email,
        token_hash=token_hash,
        expires_at=expires_at,
        pending=PASSWORD_PENDING,
        active=ACTIVE,
        at=at,
    )
    return token


def _send_invitation(target: Target, operator: Operator, token: str) -> None:
    from sat_common import tokens
    from sat_common.outbox import OutboxEmail

    portal = target.output(outputs.PORTAL_BASE_URL).rstrip("/")
    message = OutboxEmail(
        id=f"operator-invitation-{tokens.token_hash(token)[:32]}",  # never the token itself
        template="operator-invitation",
        to=operator.email,
        data={
            "nombre": f"{operator.firstName} {operator.firstSurname}",
            "enlace": f"{portal}/asignar-contrasena?{urlencode({'token': token})}",
        },
    )
    queue_url = target.output(outputs.OUTBOX_QUEUE)
    target.client("sqs").send_message(QueueUrl=queue_url, MessageBody=message.model_dump_json())


def _audit(target: Target, username: str, action: str) -> None:
    from ops.repositories import operators
    from registration.flow import entity
    from sat_common.audit import Actor, entry
    from sat_common.items import ItemStore

    if target.outputs.get(outputs.AUDIT_TABLE):
        item = entry(entity(username), action, Actor(ACTOR, None, "python -m ops"))
        operators.append_audit(target.store(ItemStore, outputs.AUDIT_TABLE), item)
