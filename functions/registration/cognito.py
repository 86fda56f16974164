"""The people user pool, through the admin API. Usernames are "<DOCTYPE>-<NUMBER>" (docs/architecture.md)."""

import secrets
from typing import Any

from sat_common import aws

# Errors that mean "these credentials do not open a session", whatever the reason.
AUTH_FAILURES = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "PasswordResetRequiredException",
        "InvalidParameterException",
    }
)


def _code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class PeoplePool:
    def __init__(self, pool_id: str, client_id: str) -> None:
        self.pool_id = pool_id
        self.client_id = client_id

    @property
    def _idp(self) -> Any:
        return aws.client("cognito-idp")

    def user_status(self, username: str) -> str | None:
        """UserStatus (e.g. FORCE_CHANGE_PASSWORD, CONFIRMED), or None when there is no such user."""
        from botocore.exceptions import ClientError

        try:
            return str(self._idp.admin_get_user(UserPoolId=self.pool_id, Username=username)["UserStatus"])
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                return None
            raise

    def ensure_user(self, username: str, email: str) -> bool:
        """Create the user without a usable password (a random temporary one nobody ever sees), or update
        its e-mail when it exists already (a repeated contact step). True when it was created now.

        email_verified is set so Cognito sends no verification code of its own: the set-password link,
        sent to that address, is what proves it belongs to the person before the account can be used.
        """
        from botocore.exceptions import ClientError

        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        try:
            self._idp.admin_create_user(
                UserPoolId=self.pool_id,
                Username=username,
                UserAttributes=attributes,
                TemporaryPassword=_unusable_password(),
                MessageAction="SUPPRESS",
            )
            return True
        except ClientError as error:
            if _code(error) != "UsernameExistsException":
                raise
        self._idp.admin_update_user_attributes(UserPoolId=self.pool_id, Username=username, UserAttributes=attributes)
        return False

    def set_password(self, username: str, password: str) -> None:
        self._idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True)

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None:
        """The AuthenticationResult, or None when the credentials do not open a session."""
        return self._auth("USER_PASSWORD_AUTH", {"USERNAME": username, "PASSWORD": password})

    def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        return self._auth("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})

    def _auth(self, flow: str, parameters: dict[str, str]) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            response = self._idp.initiate_auth(ClientId=self.client_id, AuthFlow=flow, AuthParameters=parameters)
        except ClientError as error:
            if _code(error) in AUTH_FAILURES:
                return None
            raise
        # A challenge (e.g. NEW_PASSWORD_REQUIRED for an account whose password was never set) is no session.
        result: dict[str, Any] | None = response.get("AuthenticationResult")
        return result


def is_password_rejected(error: Exception) -> bool:
    return _code(error) == "InvalidPasswordException"


def _unusable_password() -> str:
    # Meets any length policy; never stored, logged or sent: the account cannot be used until the
    # person sets a password with the link.
    return secrets.token_urlsafe(48)
