"""The Ministry's operators as the people pool holds them: membership of the operator groups, enabled or not
(decision 0090). The groups are the truth sat_common.ministry checks live, so the list reads them from Cognito
rather than from a copy that could drift (an operator added with `python -m ops bootstrap`, or by hand in the
console, is listed too)."""

from dataclasses import dataclass
from typing import Any

from sat_common import aws
from sat_common.operator_groups import OPERATOR_GROUPS

PAGE = 60  # ListUsersInGroup's maximum


@dataclass(frozen=True)
class OperatorAccount:
    username: str
    email: str | None
    names: str | None  # given_name + family_name, when the account has them
    enabled: bool
    user_status: str  # CONFIRMED once a password was set; FORCE_CHANGE_PASSWORD while invited
    groups: frozenset[str]


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _attributes(raw: list[dict[str, str]] | None) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in raw or []}


def _names(attributes: dict[str, str]) -> str | None:
    names = " ".join(part for part in (attributes.get("given_name"), attributes.get("family_name")) if part)
    return names or None


class OperatorDirectory:
    def __init__(self, pool_id: str) -> None:
        self.pool_id = pool_id

    @property
    def _idp(self) -> Any:
        return aws.client("cognito-idp")

    def members(self) -> dict[str, OperatorAccount]:
        """Everyone in an operator group, by username: one ListUsersInGroup per group and 60 members."""
        found: dict[str, dict[str, Any]] = {}
        groups: dict[str, set[str]] = {}
        for group in sorted(OPERATOR_GROUPS):
            request: dict[str, Any] = {"UserPoolId": self.pool_id, "GroupName": group, "Limit": PAGE}
            while True:
                response = self._idp.list_users_in_group(**request)
                for user in response.get("Users", []):
                    found[user["Username"]] = user
                    groups.setdefault(user["Username"], set()).add(group)
                if not response.get("NextToken"):
                    break
                request["NextToken"] = response["NextToken"]
        return {
            username: self._account(username, user.get("Attributes"), user, frozenset(groups[username]))
            for username, user in found.items()
        }

    def account(self, username: str) -> OperatorAccount | None:
        """The account and its operator groups now, or None when there is no such user."""
        from botocore.exceptions import ClientError

        try:
            user = self._idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                return None
            raise
        return self._account(user["Username"], user.get("UserAttributes"), user, self.groups_of(username))

    def groups_of(self, username: str) -> frozenset[str]:
        groups: set[str] = set()
        request: dict[str, Any] = {"UserPoolId": self.pool_id, "Username": username, "Limit": PAGE}
        while True:
            response = self._idp.admin_list_groups_for_user(**request)
            groups.update(group["GroupName"] for group in response.get("Groups", []))
            if not response.get("NextToken"):
                return frozenset(groups & OPERATOR_GROUPS)
            request["NextToken"] = response["NextToken"]

    def set_groups(self, username: str, before: frozenset[str], after: frozenset[str]) -> None:
        for group in sorted(after - before):
            self._idp.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)
        for group in sorted(before - after):
            self._idp.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=username, GroupName=group)

    def disable(self, username: str) -> None:
        """No sign-in any more, and every refresh token revoked (ID tokens already issued are refused by the
        live check of sat_common.ministry within its cache bound)."""
        self._idp.admin_disable_user(UserPoolId=self.pool_id, Username=username)
        self._idp.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)

    def enable(self, username: str) -> None:
        self._idp.admin_enable_user(UserPoolId=self.pool_id, Username=username)

    @staticmethod
    def _account(
        username: str, raw: list[dict[str, str]] | None, user: dict[str, Any], groups: frozenset[str]
    ) -> OperatorAccount:
        attributes = _attributes(raw)
        return OperatorAccount(
            username=username,
            email=attributes.get("email"),
            names=_names(attributes),
            enabled=bool(user.get("Enabled", False)),
            user_status=str(user.get("UserStatus", "")),
            groups=groups,
        )
