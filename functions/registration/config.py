"""Settings and adapters of the registration area, built on first use.

Settings are read on the first request rather than at import, so tooling that imports the handler
(the OpenAPI generator, the route-table test) needs no AWS resource names. A missing variable still
fails the first request of a cold start, loudly, before any work.
"""

from dataclasses import dataclass
from functools import cache

from pydantic import Field, ValidationInfo, field_validator

from registration.cognito import PeoplePool
from registration.store import Store
from sat_common.reference.dynamodb import DynamoDBReferenceSource
from sat_common.settings import (
    ApiSettings,
    AuditSettings,
    MainTableSettings,
    OutboxSettings,
    PeoplePoolSettings,
    ReferenceTableSettings,
)


class RegistrationSettings(
    ApiSettings, MainTableSettings, ReferenceTableSettings, AuditSettings, PeoplePoolSettings, OutboxSettings
):
    """The registration function (citizen registration, password set-up, sessions, /me).

    Resource names come from the stack (docs/architecture.md); the rest are policy knobs with defaults
    recorded in docs/decisions/0020-0025.
    """

    # Identity questions (manual §5 Paso 3)
    identity_questions: int = Field(default=4, ge=4, le=5)
    identity_min_correct: int = Field(default=3, ge=1, le=5)
    identity_max_attempts: int = Field(default=3, ge=1, le=10)
    identity_lock_hours: int = Field(default=24, ge=1, le=24 * 30)
    registration_session_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Set-password link (Paso 5) and its rate-limited resend
    setup_token_hours: int = Field(default=24, ge=1, le=24 * 7)
    welcome_resend_seconds: int = Field(default=60, ge=0, le=24 * 3600)
    welcome_max_per_day: int = Field(default=5, ge=1, le=50)
    # Login (Paso 6)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Ley 1581 de 2012: version of the data-processing policy the consents refer to
    consent_policy_version: str = Field(default="2026-01", min_length=1, max_length=40)

    @field_validator("identity_min_correct")
    @classmethod
    def _reachable(cls, value: int, info: ValidationInfo) -> int:
        questions = info.data.get("identity_questions", 4)
        if value > questions:
            raise ValueError(f"identity_min_correct ({value}) exceeds identity_questions ({questions})")
        return value


@dataclass(frozen=True)
class Deps:
    settings: RegistrationSettings
    store: Store
    reference: DynamoDBReferenceSource
    pool: PeoplePool


@cache
def deps() -> Deps:
    settings = RegistrationSettings()  # type: ignore[call-arg]
    return Deps(
        settings=settings,
        store=Store(settings.main_table_name),
        reference=DynamoDBReferenceSource(settings.reference_table_name),
        pool=PeoplePool(settings.people_user_pool_id, settings.people_user_pool_client_id),
    )
