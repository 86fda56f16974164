"""Consumer passwords this container verified a moment ago (docs/decisions/0112-token-endpoint-speed.md).

A CCF system asks for a token every few minutes with the same Client ID and secret; checking the scrypt hash
each time made the token endpoint CPU-bound (about 0.6 s a request). After a successful check the container
remembers, for a few minutes, an HMAC of (Client ID, secret) under a key drawn at random when the container
starts, together with the CCF, the service and a fingerprint of the stored hash that matched. Never the
secret, never the hash.

A remembered secret counts only while the hash it matched is still stored and valid: the consumer password
item is read on every request, so a rotation (a new hash: a new salt) or the end of the previous password's
overlap takes effect on the very next request. A wrong secret is never remembered: every wrong guess still
pays scrypt, and is counted and locked as before.
"""

import hashlib
import hmac
import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sat_common import clock

MAX_ENTRIES = 512  # CCF systems of one container; the oldest go first

_KEY = secrets.token_bytes(32)  # per container, never stored nor logged
_entries: "OrderedDict[bytes, Remembered]" = OrderedDict()


@dataclass(frozen=True)
class Remembered:
    nit: str
    service_id: str
    fingerprint: str
    until: int  # epoch seconds


def _tag(client_id: str, secret: str) -> bytes:
    return hmac.new(_KEY, json.dumps([client_id, secret]).encode(), hashlib.sha256).digest()


def fingerprint(stored: dict[str, Any] | None) -> str:
    """Which stored hash: its salt and digest (both change with every new password), hashed once more."""
    if not stored:
        return ""
    return hashlib.sha256(f"{stored.get('salt')}:{stored.get('hash')}".encode()).hexdigest()


def recall(client_id: str, readings: list[str]) -> Remembered | None:
    """The entry of the first reading of the secret verified before and not yet expired."""
    now = clock.epoch()
    for reading in readings:
        tag = _tag(client_id, reading)
        entry = _entries.get(tag)
        if entry is None:
            continue
        if entry.until <= now:
            del _entries[tag]
            continue
        return entry
    return None


def remember(client_id: str, reading: str, nit: str, service_id: str, stored: dict[str, Any], seconds: int) -> None:
    if seconds <= 0:
        return
    tag = _tag(client_id, reading)
    _entries.pop(tag, None)
    _entries[tag] = Remembered(nit, service_id, fingerprint(stored), clock.epoch() + seconds)
    while len(_entries) > MAX_ENTRIES:
        _entries.popitem(last=False)


def forget(client_id: str, readings: list[str]) -> None:
    """Drop a secret whose hash is no longer the one stored (rotated, or past its overlap)."""
    for reading in readings:
        _entries.pop(_tag(client_id, reading), None)
