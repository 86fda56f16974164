"""Settings of the share area, read on first use (tooling that imports the handler needs no resources)."""

from functools import cache

from pydantic import Field

from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, OutboundSettings, OutboxSettings


class ShareSettings(ApiSettings, MainTableSettings, AuditSettings, OutboxSettings, OutboundSettings):
    """The share function: a CCF's shared services (manual §6 "Compartir servicios web con la Entidad", decision
    0050). The outbox: the notice to the CCF's other authorized persons when a service's destination changes
    (decision 0054)."""

    secrets_prefix: str = Field(min_length=1)
    secrets_kms_key_arn: str = Field(min_length=1)
    # DELETE schedules the secret's deletion with this window, so an operator can restore it (RestoreSecret).
    secret_recovery_days: int = Field(default=30, ge=7, le=30)
    # At most one connection test per shared service in this many seconds (we must not be a port scanner).
    verification_interval_seconds: int = Field(default=10, ge=1, le=3600)
    # The test notification (decision 0108): signed with the notification key's `current` alias (empty: not
    # configured, 503), at most one per shared service in this many seconds.
    notification_signing_key_id: str = ""
    test_notification_interval_seconds: int = Field(default=30, ge=1, le=3600)


@cache
def settings() -> ShareSettings:
    return ShareSettings()  # type: ignore[call-arg]
