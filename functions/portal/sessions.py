"""Server-side sessions of the portal (decision 0080).

The browser holds only a random cookie value; the item is `PORTAL_SESSION#<sha256 of it>` in the main table,
so a leaked table item cannot be turned back into a cookie. The tokens the API handed out (ID, refresh, the
Cognito MFA session) and the set-password token are encrypted with the portal's own KMS key, bound by the
encryption context to this session and field. Expiry is checked in code (DynamoDB TTL deletes late and moto
not at all): idle and absolute.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sat_common import keys

SORT_KEY = "SESSION"
IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 8 * 60 * 60
TOUCH_EVERY_SECONDS = 60  # the idle clock is written at most once a minute per session
SECRET_FIELDS = (
    "id_token",
    "refresh_token",
    "mfa_session",
    "setup_token",
    "registration_id",
    "registration_email",
    "email_token",
)


def session_key(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


@dataclass
class PortalSession:
    key: str
    csrf: str
    created_at: int
    last_seen_at: int
    secrets: dict[str, str] = field(default_factory=dict)  # decrypted SECRET_FIELDS
    data: dict[str, Any] = field(default_factory=dict)  # not secret: token expiry, chosen role, login hints

    @property
    def signed_in(self) -> bool:
        return "id_token" in self.secrets


class SessionStore:
    def __init__(self, table: Any, kms: Any, key_id: str, clock: Callable[[], float] = time.time) -> None:
        self.table = table  # boto3 DynamoDB Table resource
        self.kms = kms
        self.key_id = key_id
        self.clock = clock

    def create(self, **session_secrets: str) -> tuple[str, PortalSession]:
        """A new session (a new cookie value: sign-in never reuses the anonymous session's id)."""
        cookie_value = secrets.token_urlsafe(32)
        now = int(self.clock())
        session = PortalSession(
            key=session_key(cookie_value),
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            secrets=dict(session_secrets),
        )
        self.save(session)
        return cookie_value, session

    def load(self, cookie_value: str | None) -> PortalSession | None:
        if not cookie_value or len(cookie_value) > 128:
            return None
        key = session_key(cookie_value)
        item = self.table.get_item(Key={"PK": keys.portal_session(key), "SK": SORT_KEY}, ConsistentRead=True).get(
            "Item"
        )
        if not item:
            return None
        now = int(self.clock())
        created, last_seen = int(item["createdAt"]), int(item["lastSeenAt"])
        if now - last_seen >= IDLE_SECONDS or now - created >= ABSOLUTE_SECONDS:
            self.delete(key)
            return None
        try:
            decrypted = {name: self._decrypt(key, name, bytes(item[name])) for name in SECRET_FIELDS if name in item}
        except self.kms.exceptions.InvalidCiphertextException:
            # a ciphertext not made for this session and field (e.g. copied from another item): no session
            self.delete(key)
            return None
        session = PortalSession(
            key=key,
            csrf=str(item["csrf"]),
            created_at=created,
            last_seen_at=last_seen,
            secrets=decrypted,
            data=json.loads(str(item.get("data") or "{}")),
        )
        if now - last_seen >= TOUCH_EVERY_SECONDS:
            session.last_seen_at = now
            self.save(session)
        return session

    def save(self, session: PortalSession) -> None:
        item: dict[str, Any] = {
            "PK": keys.portal_session(session.key),
            "SK": SORT_KEY,
            "csrf": session.csrf,
            "createdAt": session.created_at,
            "lastSeenAt": session.last_seen_at,
            # DynamoDB TTL removes what the code already refuses
            "expiresAt": min(session.last_seen_at + IDLE_SECONDS, session.created_at + ABSOLUTE_SECONDS),
            "data": json.dumps(session.data, separators=(",", ":")),
        }
        for name in SECRET_FIELDS:
            if session.secrets.get(name):
                item[name] = self._encrypt(session.key, name, session.secrets[name])
        self.table.put_item(Item=item)

    def delete(self, key: str) -> None:
        self.table.delete_item(Key={"PK": keys.portal_session(key), "SK": SORT_KEY})

    def remaining_seconds(self, session: PortalSession) -> int:
        """Max-Age for the cookie: until the absolute expiry."""
        return max(0, session.created_at + ABSOLUTE_SECONDS - int(self.clock()))

    def _context(self, key: str, name: str) -> dict[str, str]:
        return {"purpose": "portal-session", "session": key, "field": name}

    def _encrypt(self, key: str, name: str, value: str) -> bytes:
        answer = self.kms.encrypt(
            KeyId=self.key_id, Plaintext=value.encode(), EncryptionContext=self._context(key, name)
        )
        return bytes(answer["CiphertextBlob"])

    def _decrypt(self, key: str, name: str, blob: bytes) -> str:
        answer = self.kms.decrypt(KeyId=self.key_id, CiphertextBlob=blob, EncryptionContext=self._context(key, name))
        return bytes(answer["Plaintext"]).decode()
