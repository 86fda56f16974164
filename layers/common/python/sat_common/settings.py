"""Typed settings read from the environment; a missing variable fails the cold start, not a request."""

from typing import Annotated

from pydantic import Field, field_validator
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


# --------------------------------------------------------------------------- resources (docs/architecture.md)
# One mixin per resource a function may receive; an area's settings class is ApiSettings (or CommonSettings)
# plus the mixins of its resources plus its own policy knobs.
class MainTableSettings(CommonSettings):
    main_table_name: str = Field(min_length=1)


class ReferenceTableSettings(CommonSettings):
    reference_table_name: str = Field(min_length=1)


class AuditSettings(CommonSettings):
    audit_table_name: str = Field(min_length=1)


class PeoplePoolSettings(CommonSettings):
    people_user_pool_id: str = Field(min_length=1)
    people_user_pool_client_id: str = Field(min_length=1)


class TokenSigningSettings(CommonSettings):
    token_signing_key_id: str = Field(min_length=1)


class OutboxSettings(CommonSettings):
    """Functions that queue e-mails: the outbox queue and the portal the e-mails link to."""

    outbox_queue_url: str = Field(min_length=1)
    portal_base_url: str = Field(min_length=1)

    @field_validator("portal_base_url")
    @classmethod
    def _portal_without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class EmailSettings(MainTableSettings):
    sender_email: str = Field(min_length=3)
    email_template_prefix: str = Field(min_length=1)


class OutboundSettings(BaseSettings):
    """Calls to partner (CCF) URLs through sat_common.outbound_http (decisions 0051, 0052).

    ALLOW_LOOPBACK_URLS is for the local runtime only (docs/local-runtime.md): the CDK app never sets it,
    and tests/infra/test_share_infra.py fails if any synthesized function has it.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    allow_loopback_urls: bool = False
    outbound_connect_timeout_seconds: float = Field(default=3, gt=0, le=10)
    outbound_read_timeout_seconds: float = Field(default=5, gt=0, le=30)
    outbound_total_timeout_seconds: float = Field(default=8, gt=0, le=60)
    outbound_max_response_bytes: int = Field(default=256 * 1024, ge=1024, le=10 * 1024 * 1024)
