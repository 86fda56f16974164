"""Which reference source a function uses, chosen by its environment (decision 0071):

    REFERENCE_SOURCE_KIND=dynamodb (default)   the reference table (REFERENCE_TABLE_NAME), loaded by
                                               `python -m ops reference import`
    REFERENCE_SOURCE_KIND=http                 REFERENCE_SOURCE_BASE_URL, REFERENCE_SOURCE_SECRET_NAME,
                                               REFERENCE_SOURCE_TIMEOUT_SECONDS (docs/reference-sources.md)

The CDK app sets them from the context value `referenceSource` (infra/config.py).
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import Field, model_validator

from sat_common.outbound_http import SafeHttpClient
from sat_common.reference import CompanySource, PersonSource
from sat_common.reference.dynamodb import DynamoDBReferenceSource
from sat_common.reference.http import HttpReferenceSource, SecretToken
from sat_common.settings import OutboundSettings, ReferenceTableSettings


class ReferenceSource(PersonSource, CompanySource, Protocol):
    """Both ports: what the registration and delegation areas look up."""


class ReferenceSourceSettings(ReferenceTableSettings, OutboundSettings):
    reference_source_kind: Literal["dynamodb", "http"] = "dynamodb"
    reference_source_base_url: str | None = None
    reference_source_secret_name: str | None = None
    reference_source_timeout_seconds: float = Field(default=3, gt=0, le=8)

    @model_validator(mode="after")
    def _http_needs_its_url_and_secret(self) -> ReferenceSourceSettings:
        if self.reference_source_kind == "http" and not (
            self.reference_source_base_url and self.reference_source_secret_name
        ):
            raise ValueError(
                "REFERENCE_SOURCE_KIND=http needs REFERENCE_SOURCE_BASE_URL and REFERENCE_SOURCE_SECRET_NAME"
            )
        return self


def reference_source(settings: ReferenceSourceSettings | None = None) -> ReferenceSource:
    settings = settings or ReferenceSourceSettings()  # type: ignore[call-arg]
    if settings.reference_source_kind == "dynamodb":
        return DynamoDBReferenceSource(settings.reference_table_name)
    deadline = settings.reference_source_timeout_seconds
    client = SafeHttpClient(
        allow_loopback=settings.allow_loopback_urls,  # local runtime and tests only; never set by the CDK app
        connect_timeout=min(deadline, 1.5),
        read_timeout=deadline,
        total_timeout=deadline,
        max_response_bytes=64 * 1024,  # one person or company is a few hundred bytes
    )
    assert settings.reference_source_base_url and settings.reference_source_secret_name  # the validator
    return HttpReferenceSource(
        settings.reference_source_base_url, SecretToken(settings.reference_source_secret_name), client
    )
