"""Who may act on /admin: a live Ministry operator with TOTP on (decision 0029-ministry-totp-and-live-group-check).

The Cognito authorizer checks only the ID token, whose groups are what they were when it was issued (up to
60 minutes ago). So every /admin request also asks the people pool and the main table: the account is
enabled, still in the `ministerio` group, and has TOTP enabled. A warm container remembers a passing check
for at most MINISTRY_CHECK_CACHE_SECONDS (≤ 60): disabling an operator or removing them from the group takes
effect within a minute. A failing check is never remembered, so enrolling TOTP counts at once.
"""

from dataclasses import dataclass
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sat_common import aws, clock
from sat_common.auth import Caller
from sat_common.dynamo import aws_faults_as_unavailable
from sat_common.errors import forbidden

MINISTRY_GROUP = "ministerio"
# PERSON#<username> / MFA_TOTP: the person's TOTP enrolment (functions/registration/mfa.py writes it).
MFA_SORT_KEY = "MFA_TOTP"
TOTP_ENABLED = "ENABLED"


class MinistryCheckSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    people_user_pool_id: str = Field(min_length=1)
    main_table_name: str = Field(min_length=1)
    ministry_check_cache_seconds: int = Field(default=60, ge=0, le=60)


@dataclass(frozen=True)
class OperatorState:
    enabled: bool
    in_group: bool
    totp_enabled: bool


@cache
def _settings() -> MinistryCheckSettings:
    return MinistryCheckSettings()  # type: ignore[call-arg]


_passed_until: dict[str, int] = {}  # username -> epoch second until which its passing check holds


def require_operator(caller: Caller) -> None:
    """403 FORBIDDEN unless the caller is an enabled member of the Ministry group now; 403 MFA_REQUIRED
    while the operator has not enabled TOTP (POST/PUT /me/mfa/totp is all such a session can do)."""
    if not caller.is_ministry:  # the token's claim: a citizen never costs a lookup
        raise forbidden()
    now = clock.epoch()
    if _passed_until.get(caller.username, 0) > now:
        return
    with aws_faults_as_unavailable():
        state = operator_state(caller.username)
    if not (state.enabled and state.in_group):
        raise forbidden()
    if not state.totp_enabled:
        raise forbidden("MFA_REQUIRED")
    _passed_until[caller.username] = now + _settings().ministry_check_cache_seconds


def operator_state(username: str) -> OperatorState:
    from botocore.exceptions import ClientError

    settings = _settings()
    idp = aws.client("cognito-idp")
    try:
        user = idp.admin_get_user(UserPoolId=settings.people_user_pool_id, Username=username)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
            return OperatorState(enabled=False, in_group=False, totp_enabled=False)
        raise
    groups: set[str] = set()
    kwargs = {"UserPoolId": settings.people_user_pool_id, "Username": username}
    while True:
        page = idp.admin_list_groups_for_user(**kwargs)
        groups.update(str(group["GroupName"]) for group in page.get("Groups", []))
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    # Only the status: the secret stays encrypted, and only the registration function can decrypt it.
    item = (
        aws.table(settings.main_table_name)
        .get_item(
            Key={"PK": f"PERSON#{username}", "SK": MFA_SORT_KEY},
            ConsistentRead=True,
            ProjectionExpression="#status",
            ExpressionAttributeNames={"#status": "status"},
        )
        .get("Item")
    )
    return OperatorState(
        enabled=bool(user.get("Enabled", False)),
        in_group=MINISTRY_GROUP in groups,
        totp_enabled=bool(item) and item.get("status") == TOTP_ENABLED,
    )


def forget() -> None:
    """Drop every remembered check and the settings read (a cold start), e.g. between tests on fresh resources."""
    _passed_until.clear()
    _settings.cache_clear()
