"""The portal's server-side sessions on moto (decision 0080): what a stolen table item, an idle or old
session, a sign-out and a copied ciphertext give an attacker."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from portal.sessions import ABSOLUTE_SECONDS, IDLE_SECONDS, SessionStore, session_key

from sat_common import keys
from tests.integration.conftest import create_table

ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwZXJzb25hIn0.firma-del-token-de-identidad"
REFRESH_TOKEN = "refresh-token-opaco-de-cognito-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(moto: None) -> tuple[SessionStore, Clock, Any]:
    create_table("main")
    table = boto3.resource("dynamodb").Table("main")
    key_id = boto3.client("kms").create_key()["KeyMetadata"]["KeyId"]
    clock = Clock()
    return SessionStore(table, boto3.client("kms"), key_id, clock=clock), clock, table


def _items(table: Any) -> list[dict[str, Any]]:
    return list(table.scan()["Items"])


def test_the_item_holds_no_token_and_not_the_cookie(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, _, table = store
    cookie, _ = sessions.create(id_token=ID_TOKEN, refresh_token=REFRESH_TOKEN)
    (item,) = _items(table)
    raw = repr(item)
    assert ID_TOKEN not in raw and REFRESH_TOKEN not in raw and cookie not in raw
    assert item["PK"] == keys.portal_session(session_key(cookie))
    loaded = sessions.load(cookie)
    assert loaded is not None and loaded.secrets == {"id_token": ID_TOKEN, "refresh_token": REFRESH_TOKEN}
    assert loaded.signed_in


def test_an_idle_session_expires_and_is_deleted(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, clock, table = store
    cookie, _ = sessions.create(id_token=ID_TOKEN)
    clock.now += IDLE_SECONDS - 5
    assert sessions.load(cookie) is not None  # activity moves the idle clock
    clock.now += IDLE_SECONDS - 5
    assert sessions.load(cookie) is not None
    clock.now += IDLE_SECONDS
    assert sessions.load(cookie) is None
    assert _items(table) == []


def test_an_active_session_still_ends_at_the_absolute_limit(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, clock, _ = store
    cookie, _ = sessions.create(id_token=ID_TOKEN)
    while clock.now + IDLE_SECONDS / 2 < 1_800_000_000 + ABSOLUTE_SECONDS:
        clock.now += IDLE_SECONDS / 2
        assert sessions.load(cookie) is not None
    clock.now = 1_800_000_000 + ABSOLUTE_SECONDS
    assert sessions.load(cookie) is None


def test_sign_out_deletes_the_session(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, _, table = store
    cookie, session = sessions.create(id_token=ID_TOKEN)
    sessions.delete(session.key)
    assert sessions.load(cookie) is None
    assert table.query(KeyConditionExpression=Key("PK").eq(keys.portal_session(session.key)))["Items"] == []


def test_a_token_copied_into_another_session_does_not_decrypt(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, _, table = store
    _, victim = sessions.create(id_token=ID_TOKEN)
    attacker_cookie, attacker = sessions.create()
    stolen = table.get_item(Key={"PK": keys.portal_session(victim.key), "SK": "SESSION"})["Item"]["id_token"]
    table.update_item(
        Key={"PK": keys.portal_session(attacker.key), "SK": "SESSION"},
        UpdateExpression="SET id_token = :t",
        ExpressionAttributeValues={":t": stolen},
    )
    assert sessions.load(attacker_cookie) is None


def test_unknown_and_oversized_cookies_are_no_session(store: tuple[SessionStore, Clock, Any]) -> None:
    sessions, _, _ = store
    assert sessions.load(None) is None
    assert sessions.load("x" * 500) is None
    assert sessions.load("never-issued") is None
