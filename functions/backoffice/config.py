"""Settings of the back-office function, read on the first request that needs them."""

from functools import cache

from pydantic import Field

from sat_common.settings import ApiSettings, AuditSettings


class BackofficeSettings(ApiSettings, AuditSettings):
    # AUDIT_TABLE_NAME: Query on the table and its indexes (the search), PutItem (the export's own entry).
    audit_export_max_rows: int = Field(default=5000, ge=1, le=20000)


@cache
def settings() -> BackofficeSettings:
    return BackofficeSettings()  # type: ignore[call-arg]
