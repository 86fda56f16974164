"""The /admin routes check the operator live (sat_common.ministry, decision 0029), not the ID token's claims.

Through POST /admin/employers/{nit}/rut-review of the delegation function (the check is the same shared code
in catalog and exchange): an allowed caller gets past it to 404 (no such company); a refused one gets 403.
The route admits `ministerio` and `ministerio-revisor` (infra/api_routes.py, decision 0090).
Time is the controlled clock (sat_common.clock), never a sleep.
"""

import json
import uuid
from datetime import timedelta

import boto3
import pytest

from infra.api_routes import ROUTES
from sat_common import clock, ministry
from sat_common.errors import DomainError
from sat_common.operator_groups import ADMINISTRATOR, AUDITOR, CATALOG, EXCHANGE, OPERATOR_GROUPS, REVIEWER
from tests.conftest import FakeContext, api_event
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


# --- the operator groups (decision 0090) ----------------------------------------------------------------------


def group_operator(username: str, *groups: str, claimed: tuple[str, ...] | None = None) -> dict[str, str]:
    """An enabled operator with TOTP in `groups` (created in the pool when missing); the ID token's claims say
    `claimed` (default: the same groups, as Cognito would have issued them)."""
    idp = boto3.client("cognito-idp")
    existing = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id())["Groups"]}
    for group in sorted(set(OPERATOR_GROUPS) - existing):
        idp.create_group(UserPoolId=pool_id(), GroupName=group)
    idp.admin_create_user(UserPoolId=pool_id(), Username=username, MessageAction="SUPPRESS")
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool_id(), Username=username, GroupName=group)
    ministry_support._ready.add((pool_id(), username))
    boto3.resource("dynamodb").Table(MAIN).put_item(
        Item={"PK": f"PERSON#{username}", "SK": ministry.MFA_SORT_KEY, "status": ministry.TOTP_ENABLED}
    )
    claims = {"cognito:username": username, "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, username))}
    claims["cognito:groups"] = ",".join(groups if claimed is None else claimed)
    return claims


def review_as(claims: dict[str, str]) -> tuple[int, str]:
    from delegation.handler import lambda_handler

    event = api_event("POST", REVIEW, body=APPROVE, claims=claims)
    response = lambda_handler(event, FakeContext())
    body = response.get("body") or ""
    return response["statusCode"], (json.loads(body) if body else {}).get("code", "")


def test_the_review_route_admits_the_reviewers_and_the_administrator_and_no_other_group(env):
    assert review_as(group_operator("CC-70000011", REVIEWER))[0] == 404
    assert review_as(group_operator("CC-70000012", ADMINISTRATOR))[0] == 404
    for number, group in (("13", CATALOG), ("14", EXCHANGE), ("15", AUDITOR)):
        assert review_as(group_operator(f"CC-700000{number}", group)) == (403, "FORBIDDEN"), group


def test_a_claim_of_the_right_group_opens_nothing_without_the_membership(env):
    """A token that says `ministerio-revisor` for an operator the pool holds only in the catalog group."""
    claims = group_operator("CC-70000016", CATALOG, claimed=(REVIEWER,))
    assert review_as(claims) == (403, "FORBIDDEN")


def test_a_reviewer_moved_to_another_group_is_refused_within_60_seconds(env):
    claims = group_operator("CC-70000017", REVIEWER)
    assert review_as(claims)[0] == 404
    idp = boto3.client("cognito-idp")
    idp.admin_add_user_to_group(UserPoolId=pool_id(), Username="CC-70000017", GroupName=CATALOG)
    idp.admin_remove_user_from_group(UserPoolId=pool_id(), Username="CC-70000017", GroupName=REVIEWER)
    clock.advance(timedelta(seconds=59))
    assert review_as(claims)[0] == 404  # the warm container's passing check still holds
    clock.advance(timedelta(seconds=1))
    assert review_as(claims) == (403, "FORBIDDEN")  # the same token, still claiming the reviewer group


def test_the_administrator_is_admitted_by_every_admin_route_and_the_check_itself_says_so(env):
    """Every /admin route admits `ministerio` whatever its `admits` (the check adds it), and each other group only
    where the route names it."""
    from sat_common.auth import Caller

    admin = group_operator("CC-70000018", ADMINISTRATOR)
    caller = Caller(
        username=admin["cognito:username"], subject=admin["sub"], groups=frozenset({ADMINISTRATOR}), email=None
    )
    for route in (r for r in ROUTES if r.path.startswith("/admin")):
        ministry.require_operator(caller, *route.admits)  # never raises for the administrator
    auditor = group_operator("CC-70000019", AUDITOR)
    caller = Caller(
        username=auditor["cognito:username"], subject=auditor["sub"], groups=frozenset({AUDITOR}), email=None
    )
    for route in (r for r in ROUTES if r.path.startswith("/admin")):
        if AUDITOR in route.admits:
            ministry.require_operator(caller, *route.admits)
        else:
            with pytest.raises(DomainError) as refused:
                ministry.require_operator(caller, *route.admits)
            assert (refused.value.status, refused.value.code) == (403, "FORBIDDEN"), route
