"""Domain errors. Each carries a stable code (clients branch on it) and maps to one HTTP status."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A field and the key of its message in sat_common.i18n.FIELD_MESSAGES (rendered per language)."""

    field: str
    key: str
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclass
class DomainError(Exception):
    """Raise with the problem code from sat_common.i18n.PROBLEMS and the placeholders its detail needs."""

    code: str
    status: int
    params: Mapping[str, object] = dataclasses.field(default_factory=dict)
    errors: list[FieldError] = dataclasses.field(default_factory=list)
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    extra: Mapping[str, object] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}"


def not_found(code: str = "NOT_FOUND", **params: object) -> DomainError:
    return DomainError(code=code, status=404, params=params)


def invalid(errors: list[FieldError]) -> DomainError:
    return DomainError(code="VALIDATION_FAILED", status=422, errors=errors)


def forbidden(code: str = "FORBIDDEN") -> DomainError:
    return DomainError(code=code, status=403)


def unavailable() -> DomainError:
    return DomainError(code="SERVICE_UNAVAILABLE", status=503, headers={"Retry-After": "5"})
