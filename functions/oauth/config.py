"""Settings of the token endpoint, read on the first request (tooling imports the handler without them)."""

from functools import cache

from pydantic import Field

from sat_common.settings import ApiSettings, AuditSettings, MainTableSettings, TokenSigningSettings


class OAuthSettings(ApiSettings, MainTableSettings, AuditSettings, TokenSigningSettings):
    # Decision 0040: short tokens; the /sat authorizer re-checks the assignment on every uncached call.
    access_token_lifetime_seconds: int = Field(default=900, ge=60, le=3600)
    # RFC 9700 forbids new uses of the password grant: a compatibility mode that can be switched off.
    oauth_password_grant_enabled: bool = True
    # Throttling of failed client authentications, per Client ID.
    token_max_failures: int = Field(default=5, ge=1, le=100)
    token_failure_window_seconds: int = Field(default=900, ge=60, le=86400)
    token_lock_seconds: int = Field(default=900, ge=1, le=86400)


@cache
def settings() -> OAuthSettings:
    return OAuthSettings()  # type: ignore[call-arg]
