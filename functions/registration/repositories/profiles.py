"""People's profiles (PERSON#<username> / PROFILE): names, document, e-mail, contact data (Paso 4, "Mi
información") and the latest answers to the consents (the evidence itself is in the audit table)."""

from collections.abc import Mapping
from typing import Any

from registration.repositories.people import Store, person_key
from sat_common import keys


def profile_key(username: str) -> dict[str, str]:
    return person_key(username, keys.PROFILE)


def get_profile(store: Store, username: str) -> dict[str, Any] | None:
    return store.get(profile_key(username))


def put_profile(store: Store, username: str, profile: Mapping[str, Any]) -> None:
    """Paso 4 writes the whole profile (a repeated step replaces it)."""
    store.put({**profile_key(username), "username": username, **profile})


def create_profile(store: Store, username: str, profile: Mapping[str, Any]) -> None:
    """A profile for someone who has none (an operator's invitation); ConditionFailed when there is one."""
    store.put({**profile_key(username), "username": username, **profile}, condition="attribute_not_exists(PK)")


def save_contact(store: Store, username: str, contact: Mapping[str, Any], at: str) -> None:
    """ConditionFailed when the person has no profile (e.g. an operator an administrator created)."""
    store.update(
        profile_key(username),
        "SET contact = :contact, updatedAt = :at",
        values={":contact": dict(contact), ":at": at},
        condition="attribute_exists(PK)",
    )


def save_consents(store: Store, username: str, consents: Mapping[str, Any], at: str) -> None:
    store.update(
        profile_key(username),
        "SET consents = :consents, updatedAt = :at",
        values={":consents": dict(consents), ":at": at},
    )


def change_email(store: Store, username: str, email: str, at: str) -> None:
    store.update(profile_key(username), "SET email = :email, updatedAt = :at", values={":email": email, ":at": at})
