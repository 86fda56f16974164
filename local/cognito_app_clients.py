"""What Cognito checks on an app client's own operations and moto 5.2.5 does not (decision 0027).

moto's InitiateAuth accepts USER_PASSWORD_AUTH on any client whatever its ExplicitAuthFlows, and with no
SECRET_HASH on a client that has a secret; SignUp ignores AllowAdminCreateUserOnly; ForgotPassword,
ConfirmForgotPassword, ConfirmSignUp and ResendConfirmationCode never ask for the SECRET_HASH (and
ConfirmForgotPassword takes any code). In AWS each of those is refused. moto has no RevokeToken at all
(POST /sessions/logout): it is answered here, as AWS does. Without this check the local runtime
would let anyone holding the people pool's client ID (it is in every ID token) do there what AWS refuses:
sign in around the API's delays and audit, squat a document number with SignUp, reset someone's password.

`CognitoAppClientRules` is WSGI middleware in front of moto's server: for those operations it reads the
client's and the pool's real configuration from moto's own state and answers the error AWS gives.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterable
from typing import Any

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
# flow -> the ExplicitAuthFlows values that allow it (refresh is always allowed)
FLOW_ALLOWED_BY: dict[str, frozenset[str]] = {
    "USER_PASSWORD_AUTH": frozenset({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"}),
    "USER_SRP_AUTH": frozenset({"ALLOW_USER_SRP_AUTH"}),
    "CUSTOM_AUTH": frozenset({"ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"}),
    "USER_AUTH": frozenset({"ALLOW_USER_AUTH"}),
    "ADMIN_USER_PASSWORD_AUTH": frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
    "ADMIN_NO_SRP_AUTH": frozenset({"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}),
}
REFRESH_FLOWS = frozenset({"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"})
# operations of a client that need its SECRET_HASH (and where to find the username and the hash)
WITH_SECRET_HASH = frozenset(
    {
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "ResendConfirmationCode",
    }
)
Refusal = tuple[str, str]  # (AWS error code, message)


def secret_hash(secret: str, client_id: str, username: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ClientView:
    """What the rules need to know about one app client, read from moto's state."""

    def __init__(self, client: Any, pool: Any) -> None:
        self.client, self.pool = client, pool

    @property
    def explicit_auth_flows(self) -> frozenset[str]:
        return frozenset(self.client.extended_config.get("ExplicitAuthFlows") or ())

    @property
    def secret(self) -> str | None:
        return str(self.client.secret) if self.client.generate_secret else None

    @property
    def admin_create_only(self) -> bool:
        config = self.pool.extended_config.get("AdminCreateUserConfig") or {}
        return bool(config.get("AllowAdminCreateUserOnly"))

    def refresh_token_owner(self, token: str) -> str | None:
        found = self.pool.refresh_tokens.get(token)
        return str(found[1]) if found else None


def find_client(client_id: str) -> ClientView | None:
    from moto.cognitoidp.models import cognitoidp_backends

    for account in list(cognitoidp_backends.values()):
        for backend in list(account.values()):
            for pool in list(backend.user_pools.values()):
                if client_id in pool.clients:
                    return ClientView(pool.clients[client_id], pool)
    return None


def refusal(operation: str, params: dict[str, Any], client: ClientView) -> Refusal | None:
    """The error AWS answers for this call of this client, or None when AWS would let it through."""
    flow = str(params.get("AuthFlow") or "")
    if operation in ("InitiateAuth", "AdminInitiateAuth") and flow not in REFRESH_FLOWS:
        allowed_by = FLOW_ALLOWED_BY.get(flow, frozenset())
        if not allowed_by & client.explicit_auth_flows:
            return ("InvalidParameterException", f"{flow} flow not enabled for this client")
    if operation == "SignUp" and client.admin_create_only:
        return ("NotAuthorizedException", "SignUp is not permitted for this user pool")
    secret = client.secret
    if secret is None or operation not in WITH_SECRET_HASH:
        return None
    client_id = str(params.get("ClientId"))
    username, given = _username_and_hash(operation, params, client)
    if not given:
        message = f"Client {client_id} is configured with secret but SECRET_HASH was not received"
        return ("NotAuthorizedException", message)
    if username is None and flow in REFRESH_FLOWS:
        return ("NotAuthorizedException", "Invalid Refresh Token")
    if username is None or not hmac.compare_digest(str(given), secret_hash(secret, client_id, username)):
        return ("NotAuthorizedException", f"Unable to verify secret hash for client {client_id}")
    return None


def _username_and_hash(operation: str, params: dict[str, Any], client: ClientView) -> tuple[str | None, str | None]:
    if operation in ("InitiateAuth", "AdminInitiateAuth"):
        auth = params.get("AuthParameters") or {}
        if params.get("AuthFlow") in REFRESH_FLOWS:
            return client.refresh_token_owner(str(auth.get("REFRESH_TOKEN") or "")), auth.get("SECRET_HASH")
        return auth.get("USERNAME"), auth.get("SECRET_HASH")
    if operation in ("RespondToAuthChallenge", "AdminRespondToAuthChallenge"):
        responses = params.get("ChallengeResponses") or {}
        return responses.get("USERNAME"), responses.get("SECRET_HASH")
    return params.get("Username"), params.get("SecretHash")


def revoke_token(params: dict[str, Any]) -> Refusal | None:
    """RevokeToken, which moto 5.2.5 does not implement: a confidential client must send its secret, and only
    a refresh token issued to that client is revoked (moto's sign-out marks a revoked token None, and refresh
    then answers NotAuthorized). An unknown token is not an error, as in AWS."""
    client_id = str(params.get("ClientId") or "")
    client = find_client(client_id)
    if client is None:
        return ("ResourceNotFoundException", f"Client {client_id} does not exist")
    secret = client.secret
    if secret is not None and not hmac.compare_digest(str(params.get("ClientSecret") or ""), secret):
        return ("NotAuthorizedException", f"Client {client_id} is not authorized to revoke tokens")
    token = str(params.get("Token") or "")
    issued = client.pool.refresh_tokens.get(token)
    if issued and issued[0] == client_id:
        client.pool.refresh_tokens[token] = None
    return None


class CognitoAppClientRules:
    """WSGI middleware: refuse, as AWS does, the app-client calls moto would let through."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
        if not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)
        operation = target[len(TARGET_PREFIX) :]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return self.app(environ, start_response)
        if operation == "RevokeToken" and isinstance(params, dict):  # answered here: moto has none
            refused = revoke_token(params)
            if refused is None:
                start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", "2")])
                return [b"{}"]
        else:
            client = find_client(str(params.get("ClientId") or "")) if isinstance(params, dict) else None
            refused = refusal(operation, params, client) if client is not None else None
        if refused is None:
            return self.app(environ, start_response)
        code, message = refused
        payload = json.dumps({"__type": code, "message": message}).encode()
        start_response(
            "400 Bad Request",
            [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-ErrorType", code),
                ("Content-Length", str(len(payload))),
            ],
        )
        return [payload]
