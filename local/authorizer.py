"""Cognito user pool authorizer of API Gateway (REST), checked against the local (moto) pools.

The token comes from the identity source header (Authorization), raw or as "Bearer <token>".
Checks: RS256 signature against the pool's JWKS (moto serves it at
`{endpoint}/{poolId}/.well-known/jwks.json`), issuer `https://cognito-idp.<region>.amazonaws.com/<poolId>`
(what moto writes in `iss`), expiry, `token_use` as API Gateway wants it (a method without
authorization scopes takes only an ID token; a method with scopes takes only an access token holding
one of them), and the client (`aud` / `client_id`) being an app client of that pool.
Claims go to `requestContext.authorizer.claims` with string values, as API Gateway REST does
(lists comma-joined, e.g. `cognito:groups`, and `exp`/`iat`/`auth_time` as "Wed Nov 26 10:00:00 UTC 2026").
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from local import aws


class Unauthorized(Exception):
    """The token is missing or invalid (API Gateway's UNAUTHORIZED gateway response, 401)."""


def _as_api_gateway_string(key: str, value: Any) -> str:
    if key in ("exp", "iat", "auth_time") and isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


@dataclass
class CognitoAuthorizer:
    endpoint: str
    region: str
    pool_ids: list[str]
    leeway: int = 0
    _keys: dict[str, KeySet] = field(default_factory=dict)
    _clients: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issuer(self, pool_id: str) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    def _key_set(self, pool_id: str) -> KeySet:
        with self._lock:
            if pool_id not in self._keys:
                jwks = httpx.get(f"{self.endpoint}/{pool_id}/.well-known/jwks.json", timeout=5).json()
                self._keys[pool_id] = KeySet.import_key_set(jwks)
            return self._keys[pool_id]

    def _client_ids(self, pool_id: str, refresh: bool = False) -> set[str]:
        with self._lock:
            if refresh or pool_id not in self._clients:
                idp = aws.client("cognito-idp", self.endpoint, self.region)
                pages = idp.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=60)
                self._clients[pool_id] = {c["ClientId"] for page in pages for c in page["UserPoolClients"]}
            return self._clients[pool_id]

    def authorize(self, header_value: str | None, scopes: list[str] | None = None) -> dict[str, str]:
        """Return the claims (as API Gateway strings) or raise `Unauthorized`."""
        if not header_value or not header_value.strip():
            raise Unauthorized("missing token")
        token = header_value.strip()
        if token[:7].lower() == "bearer ":
            token = token[7:].strip()
        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("malformed token")
        try:  # only to pick the pool by issuer; the signature is checked below
            payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise Unauthorized("malformed token") from exc
        if not isinstance(payload, dict):
            raise Unauthorized("malformed token")
        pool_id = next((p for p in self.pool_ids if payload.get("iss") == self.issuer(p)), None)
        if pool_id is None:
            raise Unauthorized("issuer is not a pool of this authorizer")
        try:
            decoded = jwt.decode(token, self._key_set(pool_id), algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            raise Unauthorized(f"bad signature: {exc}") from exc
        claims = decoded.claims
        now = time.time()
        if not isinstance(claims.get("exp"), int | float) or claims["exp"] + self.leeway < now:
            raise Unauthorized("token expired")
        token_use = claims.get("token_use")
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if token_use != "access" or not granted & set(scopes):  # noqa: S105 - not a password
                raise Unauthorized("missing scope")
        elif token_use != "id":  # noqa: S105 - not a password
            raise Unauthorized("a method without authorization scopes takes only an ID token")
        client_id = claims.get("aud") if token_use == "id" else claims.get("client_id")  # noqa: S105
        if client_id not in self._client_ids(pool_id) and client_id not in self._client_ids(pool_id, refresh=True):
            raise Unauthorized("token of an unknown client")
        return {k: _as_api_gateway_string(k, v) for k, v in claims.items()}


# --------------------------------------------------------------------------- Lambda authorizers
class AccessDenied(Exception):
    """The authorizer's policy does not allow the method (API Gateway's ACCESS_DENIED, 403)."""


class AuthorizerFailure(Exception):
    """The authorizer failed or answered something API Gateway cannot use (AUTHORIZER_FAILURE /
    AUTHORIZER_CONFIGURATION_ERROR, 500); `response_type` says which."""

    def __init__(self, message: str, response_type: str = "AUTHORIZER_FAILURE") -> None:
        super().__init__(message)
        self.response_type = response_type


def _arn_matches(pattern: str, arn: str) -> bool:
    """IAM-style match: `*` any run of characters, `?` one character (policy resources of execute-api)."""
    import fnmatch

    return fnmatch.fnmatchcase(arn, pattern.replace("[", "[[]"))


def evaluate_policy(policy: Any, method_arn: str) -> bool:
    """True when an Allow statement covers execute-api:Invoke on the method ARN and no Deny does."""
    if not isinstance(policy, dict):
        raise AuthorizerFailure("policyDocument missing", "AUTHORIZER_CONFIGURATION_ERROR")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise AuthorizerFailure("policyDocument.Statement missing", "AUTHORIZER_CONFIGURATION_ERROR")
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(_arn_matches(str(a), "execute-api:Invoke") for a in actions):
            continue
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if not any(_arn_matches(str(r), method_arn) for r in resources):
            continue
        effect = str(statement.get("Effect", ""))
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
    return allowed


@dataclass
class LambdaAuthorizer:
    """A TOKEN or REQUEST Lambda authorizer of API Gateway REST, emulated the way API Gateway runs it.

    - identity source: `method.request.header.X` (TOKEN: exactly one header; REQUEST: one or more
      header/querystring sources, all required). A missing source is 401 without invoking the function;
      a TOKEN value that does not match `IdentityValidationExpression` too.
    - the function gets `{"type": "TOKEN", "authorizationToken", "methodArn"}` (or the REQUEST event);
      an error whose message is `Unauthorized` is 401, any other error 500 (AUTHORIZER_FAILURE).
    - the returned IAM policy is evaluated against the method ARN (explicit Deny wins, an Allow is
      needed): not allowed is 403 (ACCESS_DENIED).
    - the policy, principalId and context are cached per identity source value for
      `AuthorizerResultTtlInSeconds` (default 300; 0 disables), so a cached policy is evaluated
      against every later method, as in API Gateway.
    - `requestContext.authorizer` gets `principalId`, `integrationLatency` and the context values as strings.
    """

    function: str
    invoke: Any  # (logical id, event, request id) -> result; raises local.lambdas.InvocationError
    kind: str = "TOKEN"
    identity_source: str = "method.request.header.Authorization"
    ttl: int = 300
    validation_expression: str | None = None
    clock: Any = time.time
    _cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_properties(cls, props: dict[str, Any], function: str, invoke: Any) -> LambdaAuthorizer:
        return cls(
            function=function,
            invoke=invoke,
            kind=str(props.get("Type", "TOKEN")).upper(),
            identity_source=str(props.get("IdentitySource") or "method.request.header.Authorization"),
            ttl=int(props.get("AuthorizerResultTtlInSeconds", 300)),
            validation_expression=props.get("IdentityValidationExpression"),
        )

    def _sources(self, headers: dict[str, str], query: dict[str, str]) -> tuple[str, ...] | None:
        values = []
        for source in [s.strip() for s in self.identity_source.split(",") if s.strip()]:
            location, _, name = source.removeprefix("method.request.").partition(".")
            if location == "header":
                value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
            elif location == "querystring":
                value = query.get(name)
            else:
                value = None
            if not value:
                return None
            values.append(value)
        return tuple(values)

    def authorize(
        self,
        method_arn: str,
        headers: dict[str, str],
        query: dict[str, str],
        request_event: dict[str, Any],
        request_id: str,
    ) -> dict[str, Any]:
        """Return requestContext.authorizer or raise Unauthorized / AccessDenied / AuthorizerFailure."""
        import re

        sources = self._sources(headers, query)
        if sources is None:
            raise Unauthorized("identity source missing")
        if (
            self.kind == "TOKEN"
            and self.validation_expression
            and not re.fullmatch(self.validation_expression, sources[0])
        ):
            raise Unauthorized("token does not match the validation expression")
        with self._lock:
            cached = self._cache.get(sources)
        started = self.clock()
        if cached and cached[0] > started:
            result = cached[1]
        else:
            result = self._call(method_arn, sources, request_event, request_id)
            if self.ttl > 0:
                with self._lock:
                    self._cache[sources] = (self.clock() + self.ttl, result)
        if not evaluate_policy(result.get("policyDocument"), method_arn):
            raise AccessDenied("policy does not allow the method")
        context = {k: _context_string(v) for k, v in (result.get("context") or {}).items()}
        return {
            **context,
            "principalId": str(result.get("principalId", "")),
            "integrationLatency": int((self.clock() - started) * 1000),
        }

    def _call(
        self, method_arn: str, sources: tuple[str, ...], request_event: dict[str, Any], request_id: str
    ) -> dict[str, Any]:
        from local.lambdas import InvocationError

        if self.kind == "TOKEN":
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": sources[0], "methodArn": method_arn}
        else:
            event = {"type": "REQUEST", "methodArn": method_arn, **request_event}
        try:
            result = self.invoke(self.function, event, request_id)
        except InvocationError as exc:
            if exc.payload.get("errorMessage") == "Unauthorized":
                raise Unauthorized("authorizer said Unauthorized") from exc
            raise AuthorizerFailure(str(exc.payload.get("errorMessage"))) from exc
        if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
            raise AuthorizerFailure("malformed authorizer response", "AUTHORIZER_CONFIGURATION_ERROR")
        return result

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def _context_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
