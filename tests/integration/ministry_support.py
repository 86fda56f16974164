"""Ministry operators as the /admin routes check them live (sat_common.ministry, decision 0029), on moto.

The ID token's `cognito:groups` claim is no longer enough: each /admin request asks the people pool whether
the operator is enabled and still in `ministerio`, and the main table whether TOTP is on. The integration
supports call `people_pool` in their fixtures and `ensure_operator` for each Ministry caller they invent.
"""

from __future__ import annotations

import contextlib
import os

import boto3

from sat_common import ministry
from sat_common.operator_groups import ADMINISTRATOR

_ready: set[tuple[str, str]] = set()  # (pool id, username) already made an operator


def people_pool(monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """A people pool with the `ministerio` group; PEOPLE_USER_POOL_ID names it and the check starts cold."""
    idp = boto3.client("cognito-idp")
    pool_id = str(idp.create_user_pool(PoolName="people")["UserPool"]["Id"])
    idp.create_group(UserPoolId=pool_id, GroupName=ADMINISTRATOR)
    monkeypatch.setenv("PEOPLE_USER_POOL_ID", pool_id)
    ministry.forget()
    return pool_id


def ensure_operator(username: str, table: str | None = None, totp: bool = True) -> None:
    """An enabled member of `ministerio` with TOTP on (the item PUT /me/mfa/totp leaves), once per pool."""
    pool_id = os.environ["PEOPLE_USER_POOL_ID"]
    if (pool_id, username) in _ready:
        return
    idp = boto3.client("cognito-idp")
    with contextlib.suppress(idp.exceptions.UsernameExistsException):
        idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=ADMINISTRATOR)
    if totp:
        boto3.resource("dynamodb").Table(table or os.environ["MAIN_TABLE_NAME"]).put_item(
            Item={"PK": f"PERSON#{username}", "SK": ministry.MFA_SORT_KEY, "status": ministry.TOTP_ENABLED}
        )
    _ready.add((pool_id, username))
