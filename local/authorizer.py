"""Cognito user pool authorizer of API Gateway (REST), checked against the local (moto) pools.

The token comes from the identity source header (Authorization), raw or as "Bearer <token>".
Checks: RS256 signature against the pool's JWKS (moto serves it at
`{endpoint}/{poolId}/.well-known/jwks.json`), issuer `https://cognito-idp.<region>.amazonaws.com/<poolId>`
(what moto writes in `iss`), expiry, `token_use` (`id`, or `access` - API Gateway accepts an access
token too; when the method lists authorization scopes only an access token with one of them passes),
and the client (`aud` / `client_id`) being an app client of that pool.
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
        if token_use not in ("id", "access"):
            raise Unauthorized("token_use must be id or access")
        if scopes:
            granted = set(str(claims.get("scope", "")).split())
            if token_use != "access" or not granted & set(scopes):  # noqa: S105 - not a password
                raise Unauthorized("missing scope")
        client_id = claims.get("aud") if token_use == "id" else claims.get("client_id")  # noqa: S105
        if client_id not in self._client_ids(pool_id) and client_id not in self._client_ids(pool_id, refresh=True):
            raise Unauthorized("token of an unknown client")
        return {k: _as_api_gateway_string(k, v) for k, v in claims.items()}
