"""Settings and adapters of the delegation area, built on first use (not at import: the OpenAPI
generator and the route-table test import the handler without AWS resource names)."""

from dataclasses import dataclass
from functools import cache

from pydantic import Field

from delegation.repository import DelegationRepository
from sat_common.reference.sources import ReferenceSource, reference_source
from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, OutboxSettings, ReferenceTableSettings


class DelegationSettings(ApiSettings, MainTableSettings, ReferenceTableSettings, AuditSettings, OutboxSettings):
    rut_bucket_name: str = Field(min_length=1)

    # RUT upload slot (docs/decisions/0031-rut-upload-and-check.md)
    rut_upload_seconds: int = Field(default=600, ge=60, le=3600)
    rut_max_bytes: int = Field(default=1_048_576, ge=1, le=1_048_576)
    rut_max_age_days: int = Field(default=365, ge=1, le=3650)
    # The Ministry's RUT viewer: lifetime of the presigned GET (decision 0092; at most 5 minutes)
    rut_view_seconds: int = Field(default=300, ge=30, le=300)
    # Lists
    page_size_default: int = Field(default=20, ge=1, le=100)
    # The legal representative is re-checked against the business reference source at most this often
    # (docs/decisions/0033-legal-representative-recheck.md)
    representative_recheck_hours: int = Field(default=24, ge=0, le=24)
    # Delegate invitations (e-mails to an address the legal representative types) per company and Colombian day
    delegate_invitations_per_day: int = Field(default=5, ge=1, le=100)


@dataclass(frozen=True)
class Deps:
    settings: DelegationSettings
    repository: DelegationRepository
    reference: ReferenceSource


@cache
def settings() -> DelegationSettings:
    return DelegationSettings()  # type: ignore[call-arg]


@cache
def deps() -> Deps:
    config = settings()
    return Deps(
        settings=config,
        repository=DelegationRepository(config.main_table_name),
        reference=reference_source(),  # REFERENCE_SOURCE_KIND: the table or the HTTP adapter
    )
