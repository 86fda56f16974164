"""Two-step verification (decision 0029): a person's TOTP enrolment (PERSON#<username> / MFA_TOTP) and the
sign-ins waiting for their code (MFACHALLENGE#<sha256(session)> / MFA_CHALLENGE)."""

from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys

STATUS = {"#status": "status"}


def _totp_key(username: str) -> dict[str, str]:
    return person_key(username, keys.MFA_TOTP)


def _challenge_key(session_hash: str) -> dict[str, str]:
    return {"PK": keys.mfa_challenge(session_hash), "SK": keys.MFA_CHALLENGE}


def get_totp(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(_totp_key(username))


def start_enrolment(
    store: Store, username: str, secret: str, pending: str, enabled: str, started_at: str, pending_until: int
) -> None:
    """A new (encrypted) secret waiting for its first code; ConditionFailed when TOTP is enabled already: an
    enabled TOTP is never replaced this way."""
    store.put(
        {
            **_totp_key(username),
            "status": pending,
            "secret": secret,
            "startedAt": started_at,
            "pendingUntil": pending_until,
        },
        condition="attribute_not_exists(PK) OR #status <> :enabled",
        names=STATUS,
        values={":enabled": enabled},
    )


def enable(store: Store, username: str, secret: str, pending: str, enabled: str, at: str, step: int) -> None:
    """The enrolment whose secret is `secret` becomes enabled, `step` used; ConditionFailed when it is not the
    pending one any more."""
    store.update(
        _totp_key(username),
        "SET #status = :enabled, enabledAt = :at, lastStep = :step REMOVE pendingUntil",
        condition="#status = :pending AND secret = :secret",
        names=STATUS,
        values={":enabled": enabled, ":pending": pending, ":secret": secret, ":at": at, ":step": step},
    )


def use_step(store: Store, username: str, step: int, enabled: str) -> None:
    """A code is good once: its step becomes the last used; ConditionFailed when it (or a later one) was."""
    store.update(
        _totp_key(username),
        "SET lastStep = :step",
        condition="#status = :enabled AND (attribute_not_exists(lastStep) OR lastStep < :step)",
        names=STATUS,
        values={":step": step, ":enabled": enabled},
    )


def open_challenge(store: Store, session_hash: str, username: str, refresh: str, expires_at: int) -> None:
    store.put(
        {
            **_challenge_key(session_hash),
            "username": username,
            "refresh": refresh,
            "attempts": 0,
            "expiresAt": expires_at,
        }
    )


def get_challenge(store: Store, session_hash: str) -> dict[str, Any] | None:
    return store.get(_challenge_key(session_hash))


def count_wrong_code(store: Store, session_hash: str) -> int:
    """Wrong codes of the challenge so far; ConditionFailed when it is gone."""
    item = store.update(
        _challenge_key(session_hash),
        "SET attempts = attempts + :one",
        condition="attribute_exists(PK)",
        values={":one": 1},
    )
    return int(item["attempts"])


def end_challenge(store: Store, session_hash: str) -> None:
    store.delete(_challenge_key(session_hash))


def take_challenge(store: Store, session_hash: str) -> None:
    """Single use; ConditionFailed when another request took it first."""
    store.delete(_challenge_key(session_hash), condition="attribute_exists(PK)")
