"""Checks of a request's values that need more than the model: URLs a CCF may point us at (sat_common.url_safety),
public keys (public_keys), and the secrets a change of where they go needs again (decision 0054). Run after the
access check, so nobody learns anything about a CCF's services without access."""

from __future__ import annotations

from typing import Any

from sat_common import url_safety
from sat_common.errors import FieldError, invalid
from share import public_keys
from share.config import ShareSettings


class Problems:
    """The field errors of one request, and the URL rule each URL broke (the 422 names both)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.rules: dict[str, str] = {}

    def check_url(self, field: str, url: str, settings: ShareSettings) -> None:
        try:
            url_safety.check_url(url, allow_loopback=settings.allow_loopback_urls)
        except url_safety.UnsafeUrl as error:
            self.errors.append(FieldError(field, error.field_key))
            self.rules[field] = error.rule

    def parse_key(self, text: str) -> public_keys.ParsedKey | None:
        try:
            return public_keys.parse(text)
        except public_keys.KeyProblem as problem:
            self.errors.append(FieldError("publicKey", problem.key, problem.params))
            return None

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            error = invalid(self.errors)
            if self.rules:
                error.extra = {"rules": self.rules}
            raise error


def secrets_required(changed: list[str], needed: list[str]) -> None:
    """422 naming every secret that a change of where they go needs again (decision 0054)."""
    if needed:
        params = {"changed": ", ".join(changed)}
        raise invalid([FieldError(field, "secret_required_on_change", params) for field in needed])


def key_fields(parsed: public_keys.ParsedKey | None) -> dict[str, Any]:
    """The single-key fields of the item, describing the newest key (decision 0102)."""
    return {
        "hasPublicKey": parsed is not None,
        "publicKeyType": parsed.key_type if parsed else None,
        "publicKeyFormat": parsed.form if parsed else None,
        "publicKeyFingerprint": parsed.fingerprint if parsed else None,
        "certificateNotAfter": parsed.not_after if parsed else None,
    }
