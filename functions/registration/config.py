"""Settings and adapters of the registration area, built on first use.

Settings are read on the first request rather than at import, so tooling that imports the handler
(the OpenAPI generator, the route-table test) needs no AWS resource names. A missing variable still
fails the first request of a cold start, loudly, before any work.
"""

from dataclasses import dataclass
from functools import cache

from pydantic import Field

from registration.cognito import PeoplePool
from registration.operator_directory import OperatorDirectory
from registration.repositories.people import Store
from sat_common.reference import PopulationSource
from sat_common.reference.dynamodb import DynamoDBReferenceSource
from sat_common.reference.sources import ReferenceSource, reference_source
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
    recorded in docs/decisions/0020-0029.
    """

    # Identity questions (manual §5 Paso 3), decision 0026: every question of the person's bank in each set,
    # all answers right to pass; `identity_max_attempts` failed sets lock for `identity_lock_hours`, each later
    # lock within the failure memory for `identity_long_lock_days`.
    identity_options: int = Field(default=12, ge=5, le=15)
    identity_max_attempts: int = Field(default=3, ge=1, le=10)
    identity_lock_hours: int = Field(default=24, ge=1, le=24 * 30)
    identity_long_lock_days: int = Field(default=30, ge=1, le=365)
    identity_failure_memory_days: int = Field(default=30, ge=1, le=365)
    registration_session_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Set-password link (Paso 5) and its rate-limited resend
    setup_token_hours: int = Field(default=24, ge=1, le=24 * 7)
    welcome_resend_seconds: int = Field(default=60, ge=0, le=24 * 3600)
    welcome_max_per_day: int = Field(default=5, ge=1, le=50)
    # Password reset (decision 0075): the link's life, and requests per document and hour (any document)
    password_reset_token_minutes: int = Field(default=60, ge=5, le=24 * 60)
    password_reset_max_per_hour: int = Field(default=3, ge=1, le=20)
    # E-mail change (decision 0076): the confirmation link's life, and links per person in 24 h
    email_change_token_hours: int = Field(default=24, ge=1, le=24 * 7)
    email_change_max_per_day: int = Field(default=5, ge=1, le=50)
    # Sign-in (Paso 6): delays per (account, source), decision 0028
    login_free_failures: int = Field(default=5, ge=1, le=100)
    login_delay_base_seconds: int = Field(default=30, ge=1, le=3600)
    login_delay_max_seconds: int = Field(default=900, ge=1, le=24 * 3600)
    login_delay_memory_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Second factor (TOTP), decision 0029: the KMS key of the secrets, the challenge between password and code
    mfa_key_id: str = Field(min_length=1)
    mfa_challenge_seconds: int = Field(default=300, ge=30, le=900)
    mfa_max_attempts: int = Field(default=5, ge=1, le=10)
    mfa_enrolment_minutes: int = Field(default=15, ge=1, le=60)
    # Ley 1581 de 2012: version of the data-processing policy the consents refer to
    consent_policy_version: str = Field(default="2026-01", min_length=1, max_length=40)


@dataclass(frozen=True)
class Deps:
    settings: RegistrationSettings
    store: Store
    reference: ReferenceSource
    pool: PeoplePool
    populations: PopulationSource  # the identity questions' answer populations (reference table, decision 0026)
    directory: OperatorDirectory  # the Ministry's operator groups of the people pool (decision 0090)


@cache
def settings() -> RegistrationSettings:
    return RegistrationSettings()  # type: ignore[call-arg]


@cache
def deps() -> Deps:
    config = settings()
    return Deps(
        settings=config,
        store=Store(config.main_table_name),
        reference=reference_source(),  # REFERENCE_SOURCE_KIND: the table or the HTTP adapter
        pool=PeoplePool(config.people_user_pool_id, config.people_user_pool_client_id),
        populations=DynamoDBReferenceSource(config.reference_table_name),
        directory=OperatorDirectory(config.people_user_pool_id),
    )
