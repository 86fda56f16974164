"""Who may act on /admin: a live Ministry operator with TOTP on (decision 0029-ministry-totp-and-live-group-check).

The Cognito authorizer checks only the ID token, whose groups are what they were when it was issued (up to
60 minutes ago). So every /admin request also asks the people pool and the main table: the account is
enabled, still in an operator group the route admits, and has TOTP enabled. A warm container remembers a passing check
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
from sat_common.operator_groups import ADMINISTRATOR, OPERATOR_GROUPS
from sat_common.repositories import people
from sat_common.repositories.people import MFA_SORT_KEY as MFA_SORT_KEY  # the registration area writes the item

TOTP_ENABLED = "ENABLED"


class MinistryCheckSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    people_user_pool_id: str = Field(min_length=1)
    main_table_name: str = Field(min_length=1)
    ministry_check_cache_seconds: int = Field(default=60, ge=0, le=60)


@dataclass(frozen=True)
class OperatorState:
    enabled: bool
    groups: frozenset[str]  # the operator groups the account is in now
    totp_enabled: bool


@cache
def _settings() -> MinistryCheckSettings:
    return MinistryCheckSettings()  # type: ignore[call-arg]


# username -> (epoch second until which it holds, the operator groups it found): passing checks only.
_passed: dict[str, tuple[int, frozenset[str]]] = {}


def require_operator(caller: Caller, *admitted: str) -> None:
    """403 FORBIDDEN unless the caller is an enabled member, now, of one of the `admitted` groups or of
    `ministerio` (the administrator, admitted everywhere); 403 MFA_REQUIRED while the operator has not enabled
    TOTP (POST/PUT /me/mfa/totp is all such a session can do)."""
    allowed = {ADMINISTRATOR, *admitted}
    if not caller.groups & allowed:  # the token's claim: a citizen or another group never costs a lookup
        raise forbidden()
    now = clock.epoch()
    until, groups = _passed.get(caller.username, (0, frozenset()))
    if until <= now:
        with aws_faults_as_unavailable():
            state = operator_state(caller.username)
        if not (state.enabled and state.groups):
            raise forbidden()
        if not state.totp_enabled:
            raise forbidden("MFA_REQUIRED")
        groups = state.groups
        _passed[caller.username] = (now + _settings().ministry_check_cache_seconds, groups)
    if not groups & allowed:
        raise forbidden()


def operator_state(username: str) -> OperatorState:
    from botocore.exceptions import ClientError

    settings = _settings()
    idp = aws.client("cognito-idp")
    try:
        user = idp.admin_get_user(UserPoolId=settings.people_user_pool_id, Username=username)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
            return OperatorState(enabled=False, groups=frozenset(), totp_enabled=False)
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
    totp = people.totp_status(settings.main_table_name, username)
    return OperatorState(
        enabled=bool(user.get("Enabled", False)),
        groups=frozenset(groups & OPERATOR_GROUPS),
        totp_enabled=totp == TOTP_ENABLED,
    )


def forget() -> None:
    """Drop every remembered check and the settings read (a cold start), e.g. between tests on fresh resources."""
    _passed.clear()
    _settings.cache_clear()
