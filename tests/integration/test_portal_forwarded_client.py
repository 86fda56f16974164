"""The API believes the person's address the portal forwards only next to the portal's key (decision 0080):
someone calling the API directly cannot pose as another address to dodge the per-source login delays or to
write someone else's address into the audit trail and consent evidence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sat_common import auth

PORTAL_KEY = "clave-compartida-del-portal-0123456789abcdef"


@pytest.fixture
def portal_key(moto: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    arn = boto3.client("secretsmanager").create_secret(Name="portal/forwarding-key", SecretString=PORTAL_KEY)["ARN"]
    monkeypatch.setenv(auth.PORTAL_KEY_ENV, arn)
    auth._portal_key.cache_clear()
    yield arn
    auth._portal_key.cache_clear()


def _event(**headers: str) -> dict[str, Any]:
    identity = {"sourceIp": "203.0.113.10", "userAgent": "sat-ccf-portal"}
    return {"headers": headers, "requestContext": {"identity": identity}}


def test_the_portal_with_its_key_forwards_the_persons_address(portal_key: str) -> None:
    actor = auth.actor_from_event(
        _event(**{"X-Portal-Key": PORTAL_KEY, "X-Portal-Client-Ip": "198.51.100.7", "X-Portal-User-Agent": "Firefox"})
    )
    assert (actor.source_ip, actor.user_agent) == ("198.51.100.7", "Firefox")


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Portal-Client-Ip": "198.51.100.7"},
        {"X-Portal-Key": "adivinada", "X-Portal-Client-Ip": "198.51.100.7"},
        {"X-Portal-Key": PORTAL_KEY, "X-Portal-Client-Ip": "no es una dirección"},
    ],
)
def test_anyone_else_is_counted_by_the_connection(portal_key: str, headers: dict[str, str]) -> None:
    actor = auth.actor_from_event(_event(**headers))
    assert actor.source_ip == "203.0.113.10"


def test_a_function_without_the_key_ignores_the_headers(moto: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(auth.PORTAL_KEY_ENV, raising=False)
    actor = auth.actor_from_event(_event(**{"X-Portal-Key": PORTAL_KEY, "X-Portal-Client-Ip": "198.51.100.7"}))
    assert actor.source_ip == "203.0.113.10"
