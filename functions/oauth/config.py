"""Settings of the token endpoint, read on the first request (tooling imports the handler without them)."""

from functools import cache

from pydantic import Field, field_validator

from sat_common.api import configured_base_url
from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, TokenSigningSettings


class OAuthSettings(ApiSettings, MainTableSettings, AuditSettings, TokenSigningSettings):
    # Decision 0040: short tokens; the /sat authorizer re-checks the assignment on every uncached call.
    access_token_lifetime_seconds: int = Field(default=900, ge=60, le=3600)
    # RFC 9700 forbids new uses of the password grant: a compatibility mode that can be switched off.
    oauth_password_grant_enabled: bool = True
    # Throttling of failed client authentications: per source (hashed IP) and Client ID, and per Client ID over
    # every source (a success forgives only its own source's failures; decision 0054).
    token_max_failures: int = Field(default=5, ge=1, le=100)
    token_max_client_failures: int = Field(default=50, ge=1, le=10000)
    token_failure_window_seconds: int = Field(default=900, ge=60, le=86400)
    token_lock_seconds: int = Field(default=900, ge=1, le=86400)
    # scrypt cost of the dummy hash checked in place of a missing one: the catalog's PASSWORD_HASH_COST, so
    # an unknown Client ID costs what a known one does (same variable, same default).
    password_hash_cost: int = Field(default=15, ge=10, le=20)
    # How long a container remembers a consumer password it verified (an HMAC of it, decision 0112); 0: never.
    token_secret_memory_seconds: int = Field(default=300, ge=0, le=900)
    # The API's public base URL (the CDK app's setting, decision 0054): the tokens' issuer and the RFC 8414
    # metadata's URLs (decision 0100).
    public_api_base_url: str = Field(min_length=1)

    @field_validator("public_api_base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return configured_base_url(value)


@cache
def settings() -> OAuthSettings:
    return OAuthSettings()  # type: ignore[call-arg]
