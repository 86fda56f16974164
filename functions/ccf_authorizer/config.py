"""Settings of the /sat routes' authorizer, read on its first call (decision 0117)."""

from functools import cache

from pydantic import Field

from sat_common.settings import MainTableSettings, TokenSigningSettings


class CcfAuthorizerSettings(MainTableSettings, TokenSigningSettings):
    # The tokens' issuer is the API's public base URL (decision 0100), the value the token endpoint signs.
    public_api_base_url: str = Field(min_length=1)


@cache
def settings() -> CcfAuthorizerSettings:
    return CcfAuthorizerSettings()  # type: ignore[call-arg]
