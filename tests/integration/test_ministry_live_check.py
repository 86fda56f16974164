"""The /admin routes check the operator live (sat_common.ministry, decision 0029), not the ID token's claims.

Through POST /admin/employers/{nit}/rut-review of the delegation function (the check is the same shared code
in catalog and exchange): an allowed caller gets past it to 404 (no such company); a refused one gets 403.
Time is the controlled clock (sat_common.clock), never a sleep.
"""

from datetime import timedelta

import boto3

from sat_common import clock, ministry
from tests.integration import ministry_support
from tests.integration.ministry_support import ensure_operator
from tests.integration.test_delegation_flow import MAIN, delegation_env  # noqa: F401 (fixture "env")

UNKNOWN_NIT = "900000001"
REVIEW = f"/admin/employers/{UNKNOWN_NIT}/rut-review"
APPROVE = {"decision": "APPROVE"}


def review(env, operator: str) -> tuple[int, str]:
    status, body = env.api("POST", REVIEW, APPROVE, user=operator, ministry=True)
    return status, (body or {}).get("code", "")


def pool_id() -> str:
    return ministry._settings().people_user_pool_id


def test_an_operator_without_totp_can_do_nothing_in_admin_until_enrolled(env):
    operator = "CC-70000001"
    ensure_operator(operator, MAIN, totp=False)
    assert review(env, operator) == (403, "MFA_REQUIRED")
    assert review(env, operator) == (403, "MFA_REQUIRED")  # a refusal is never remembered...
    boto3.resource("dynamodb").Table(MAIN).put_item(
        Item={"PK": f"PERSON#{operator}", "SK": "MFA_TOTP", "status": "ENABLED"}
    )
    assert review(env, operator)[0] == 404  # ...so enrolling counts at once


def test_a_disabled_operator_is_refused_within_60_seconds(env):
    operator = "CC-70000002"
    ensure_operator(operator, MAIN)
    assert review(env, operator)[0] == 404
    boto3.client("cognito-idp").admin_disable_user(UserPoolId=pool_id(), Username=operator)
    clock.advance(timedelta(seconds=59))
    assert review(env, operator)[0] == 404  # this warm container still remembers the passing check
    clock.advance(timedelta(seconds=1))
    assert review(env, operator) == (403, "FORBIDDEN")  # the same, still valid ID token


def test_an_operator_removed_from_the_group_is_refused_within_60_seconds(env):
    operator = "CC-70000003"
    ensure_operator(operator, MAIN)
    assert review(env, operator)[0] == 404
    boto3.client("cognito-idp").admin_remove_user_from_group(
        UserPoolId=pool_id(), Username=operator, GroupName="ministerio"
    )
    clock.advance(timedelta(seconds=60))
    assert review(env, operator) == (403, "FORBIDDEN")


def test_a_cold_container_refuses_at_once_and_so_does_a_deleted_account(env):
    operator = "CC-70000004"
    ensure_operator(operator, MAIN)
    assert review(env, operator)[0] == 404
    boto3.client("cognito-idp").admin_disable_user(UserPoolId=pool_id(), Username=operator)
    ministry.forget()  # a new container: nothing remembered
    assert review(env, operator) == (403, "FORBIDDEN")
    boto3.client("cognito-idp").admin_delete_user(UserPoolId=pool_id(), Username=operator)
    assert review(env, operator) == (403, "FORBIDDEN")


def test_a_group_claim_alone_opens_nothing(env):
    """A person who is not in the group, holding a token whose claims say so, is refused."""
    citizen = "CC-70000005"
    boto3.client("cognito-idp").admin_create_user(UserPoolId=pool_id(), Username=citizen, MessageAction="SUPPRESS")
    ministry_support._ready.add((pool_id(), citizen))  # the helper must not make them an operator
    assert review(env, citizen) == (403, "FORBIDDEN")
