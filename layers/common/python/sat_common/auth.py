"""The caller's identity, taken from the claims API Gateway's Cognito authorizer verified."""

from dataclasses import dataclass
from typing import Any

from sat_common.audit import Actor
from sat_common.errors import DomainError


@dataclass(frozen=True)
class Caller:
    username: str  # "<DOCTYPE>-<NUMBER>"
    subject: str
    groups: frozenset[str]
    email: str | None

    @property
    def is_ministry(self) -> bool:
        return "ministerio" in self.groups


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
    return Actor(subject=subject, source_ip=identity.get("sourceIp"), user_agent=identity.get("userAgent"))
