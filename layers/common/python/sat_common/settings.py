"""Typed settings read from the environment; a missing variable fails the cold start, not a request."""

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    stage: str = Field(min_length=1)
    powertools_service_name: str = Field(min_length=1)


class ApiSettings(CommonSettings):
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value


class EmailSettings(CommonSettings):
    sender_email: str = Field(min_length=3)
    email_template_prefix: str = Field(min_length=1)
    main_table_name: str = Field(min_length=1)


class OutboxSettings(CommonSettings):
    outbox_queue_url: str = Field(min_length=1)
    portal_base_url: str = Field(min_length=1)


class RegistrationSettings(ApiSettings):
    """The registration function (citizen registration, password set-up, sessions, /me).

    Resource names come from the stack (docs/architecture.md); the rest are policy knobs with defaults
    recorded in docs/decisions/0020-0025.
    """

    main_table_name: str = Field(min_length=1)
    reference_table_name: str = Field(min_length=1)
    audit_table_name: str = Field(min_length=1)
    people_user_pool_id: str = Field(min_length=1)
    people_user_pool_client_id: str = Field(min_length=1)
    outbox_queue_url: str = Field(min_length=1)
    portal_base_url: str = Field(min_length=1)

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

    @field_validator("portal_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("identity_min_correct")
    @classmethod
    def _reachable(cls, value: int, info: ValidationInfo) -> int:
        questions = info.data.get("identity_questions", 4)
        if value > questions:
            raise ValueError(f"identity_min_correct ({value}) exceeds identity_questions ({questions})")
        return value
