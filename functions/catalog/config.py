"""Settings and adapters of the catalog area, built on first use.

/health, /openapi.json, /docs and /catalogs need no AWS resource; the Ministry and CCF routes read
these settings on their first request, so a missing variable fails that request loudly, and tooling
that imports the handler (OpenAPI generator, route-table test) needs no resource names.
"""

from dataclasses import dataclass
from functools import cache

from pydantic import Field, field_validator

from catalog.repository import CatalogRepository
from sat_common.api import configured_base_url
from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, OutboxSettings


class CatalogSettings(ApiSettings, MainTableSettings, AuditSettings, OutboxSettings):
    clients_user_pool_id: str = Field(min_length=1)
    # Consumer password (decision 0040): previous password stays valid this long after a change.
    consumer_password_overlap_hours: float = Field(default=24, ge=0, le=24 * 7)
    # scrypt cost log2(N): 15 = 32 MiB, ~0.1 s. Each hash stores its own cost, so raising it is safe.
    password_hash_cost: int = Field(default=15, ge=10, le=20)
    # Base URL CCF systems use (token URL, endpoint URL, Swagger's server): from the CDK app, never from the
    # request's Host header (decision 0054).
    public_api_base_url: str = Field(min_length=1)

    @field_validator("public_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return configured_base_url(value)


@dataclass(frozen=True)
class Deps:
    settings: CatalogSettings
    store: CatalogRepository


@cache
def settings() -> CatalogSettings:
    return CatalogSettings()  # type: ignore[call-arg]


@cache
def deps() -> Deps:
    config = settings()
    return Deps(settings=config, store=CatalogRepository(config.main_table_name))
