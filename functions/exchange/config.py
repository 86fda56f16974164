"""Settings of the exchange area, read on the first request that needs them (tooling imports the handler
without any resource names)."""

from functools import cache

from pydantic import Field, field_validator

from sat_common.api import configured_base_url
from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, OutboxSettings


class ExchangeSettings(ApiSettings, MainTableSettings, AuditSettings, OutboxSettings):
    # OUTBOX_QUEUE_URL: e-mail to the employer when the CCF answers
    notification_queue_url: str = Field(min_length=1)  # trámite notifications (functions/notifications)
    notification_signing_key_id: str = Field(min_length=1)  # KMS key whose public half the JWKS publishes
    # The rotation slots the JWKS also publishes (decision 0104): the key that becomes current next, and the one
    # that was current before the last rotation. Empty: not published (a single key).
    notification_signing_next_key_id: str = ""
    notification_signing_previous_key_id: str = ""
    # Base URL CCF systems use (the pull `url` of a notification): from the CDK app, never from the request's
    # Host header (decision 0054).
    public_api_base_url: str = Field(min_length=1)
    # Default fecha_vigencia: filing date + this many days.
    tramite_validity_days: int = Field(default=30, ge=1, le=365)

    @field_validator("public_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return configured_base_url(value)


@cache
def settings() -> ExchangeSettings:
    return ExchangeSettings()  # type: ignore[call-arg]
