"""Settings of the exchange area, read on the first request that needs them (tooling imports the handler
without any resource names)."""

from functools import cache

from pydantic import Field, field_validator

from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, OutboxSettings


class ExchangeSettings(ApiSettings, MainTableSettings, AuditSettings, OutboxSettings):
    # OUTBOX_QUEUE_URL: e-mail to the employer when the CCF answers
    notification_queue_url: str = Field(min_length=1)  # trámite notifications (functions/notifications)
    notification_signing_key_id: str = Field(min_length=1)  # KMS key whose public half the JWKS publishes
    # The CCF's shared service that receives notifications and whose public key encrypts the pull (0061).
    notification_service_name: str = Field(default="NotificacionTramite", min_length=1, max_length=60)
    # Base URL CCF systems use (the pull `url` of a notification); empty: derived from the request.
    public_api_base_url: str = ""
    # Default fecha_vigencia: filing date + this many days.
    tramite_validity_days: int = Field(default=30, ge=1, le=365)

    @field_validator("public_api_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


@cache
def settings() -> ExchangeSettings:
    return ExchangeSettings()  # type: ignore[call-arg]
