"""The caller's identity, taken from the claims API Gateway's Cognito authorizer verified."""

import hmac
import ipaddress
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from sat_common.audit import Actor
from sat_common.errors import DomainError
from sat_common.operator_groups import OPERATOR_GROUPS


@dataclass(frozen=True)
class Caller:
    username: str  # "<DOCTYPE>-<NUMBER>"
    subject: str
    groups: frozenset[str]
    email: str | None

    @property
    def is_ministry(self) -> bool:
        """A Ministry operator of any group (the token's claim; sat_common.ministry checks it live)."""
        return bool(self.groups & OPERATOR_GROUPS)


def parse_groups(raw: Any) -> frozenset[str]:
    """API Gateway passes cognito:groups as a string ("a,b" or "[a b]"); tests may pass a list."""
    if isinstance(raw, list):
        return frozenset(str(group) for group in raw)
    text = str(raw or "").strip().strip("[]")
    return frozenset(part for part in text.replace(",", " ").split() if part)


def caller_from_event(event: dict[str, Any]) -> Caller:
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    username = claims.get("cognito:username") or claims.get("username")
    if not username or not claims.get("sub"):
        raise DomainError(code="UNAUTHENTICATED", status=401)
    return Caller(
        username=str(username),
        subject=str(claims["sub"]),
        groups=parse_groups(claims.get("cognito:groups")),
        email=claims.get("email"),
    )


def actor_from_event(event: dict[str, Any], subject: str = "anonymous") -> Actor:
    identity = (event.get("requestContext") or {}).get("identity") or {}
    forwarded = portal_client(event)
    if forwarded is not None:  # the person behind the portal, not the portal (decision 0080)
        return Actor(subject=subject, source_ip=forwarded[0], user_agent=forwarded[1])
    return Actor(subject=subject, source_ip=identity.get("sourceIp"), user_agent=identity.get("userAgent"))


PORTAL_KEY_ENV = "PORTAL_FORWARDING_SECRET_ARN"


def portal_client(event: dict[str, Any]) -> tuple[str, str | None] | None:
    """The person's address and browser the portal forwards (X-Portal-Client-Ip, X-Portal-User-Agent), believed
    only next to the portal's key (X-Portal-Key, from Secrets Manager); anyone else's headers are ignored."""
    secret_arn = os.environ.get(PORTAL_KEY_ENV)
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    presented = headers.get("x-portal-key")
    if not secret_arn or not presented:
        return None
    if not hmac.compare_digest(presented.encode(), _portal_key(secret_arn).encode()):
        return None
    try:
        address = str(ipaddress.ip_address(headers.get("x-portal-client-ip", "").strip()))
    except ValueError:
        return None
    return address, (headers.get("x-portal-user-agent") or "")[:512] or None


@cache
def _portal_key(secret_arn: str) -> str:
    """Read once per process: a new value is picked up at the next cold start (docs/portal.md)."""
    from sat_common import aws

    return str(aws.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
