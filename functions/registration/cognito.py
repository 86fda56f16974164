"""The people user pool, through the admin API. Usernames are "<DOCTYPE>-<NUMBER>" (docs/architecture.md).

The web client is confidential (decision 0027): its secret is read from Cognito once per container
(DescribeUserPoolClient, granted to this function only) and never leaves it; every sign-in and refresh is an
AdminInitiateAuth with the SECRET_HASH computed here, so the client ID in people's tokens opens nothing.
"""

import base64
import hashlib
import hmac
import secrets
from functools import cached_property
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

REVOKE_REFUSALS = frozenset({"NotAuthorizedException", "UnauthorizedException", "InvalidParameterException"})


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

    def change_email(self, username: str, email: str) -> None:
        """The confirmed new address (decision 0076): verified, since the confirmation link proved it."""
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
        self._idp.admin_update_user_attributes(UserPoolId=self.pool_id, Username=username, UserAttributes=attributes)

    def revoke(self, refresh_token: str) -> bool:
        """RevokeToken: the refresh token stops working (a confidential client must send its secret). A public
        operation: no IAM action, like the refresh. False when Cognito does not take the token."""
        from botocore.exceptions import ClientError

        try:
            self._idp.revoke_token(Token=refresh_token, ClientId=self.client_id, ClientSecret=self._client_secret)
        except ClientError as error:
            if _code(error) in REVOKE_REFUSALS:
                return False
            raise
        return True

    def set_password(self, username: str, password: str) -> None:
        self._idp.admin_set_user_password(UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True)

    def sign_in(self, username: str, password: str) -> dict[str, Any] | None:
        """The AuthenticationResult, or None when the credentials do not open a session."""
        return self._auth("ADMIN_USER_PASSWORD_AUTH", username, {"USERNAME": username, "PASSWORD": password})

    def refresh(self, username: str, refresh_token: str) -> dict[str, Any] | None:
        """New ID (and access) tokens; the SECRET_HASH binds the refresh token to `username`'s account."""
        return self._auth("REFRESH_TOKEN_AUTH", username, {"REFRESH_TOKEN": refresh_token})

    @cached_property
    def _client_secret(self) -> str:
        described = self._idp.describe_user_pool_client(UserPoolId=self.pool_id, ClientId=self.client_id)
        return str(described["UserPoolClient"]["ClientSecret"])

    def secret_hash(self, username: str) -> str:
        """Cognito's SECRET_HASH: Base64(HMAC-SHA256(client secret, username + client id))."""
        digest = hmac.new(self._client_secret.encode(), (username + self.client_id).encode(), hashlib.sha256)
        return base64.b64encode(digest.digest()).decode()

    def _auth(self, flow: str, username: str, parameters: dict[str, str]) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        request = {
            "ClientId": self.client_id,
            "AuthFlow": flow,
            "AuthParameters": {**parameters, "SECRET_HASH": self.secret_hash(username)},
        }
        try:
            if flow == "REFRESH_TOKEN_AUTH":  # the public operation, which still needs the secret
                response = self._idp.initiate_auth(**request)
            else:
                response = self._idp.admin_initiate_auth(UserPoolId=self.pool_id, **request)
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
