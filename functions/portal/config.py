"""The portal's settings and AWS clients, created on first use (nothing AWS at import time; decision 0117)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from portal.api_client import ApiClient
from portal.sessions import SessionStore


class PortalSettings(BaseSettings):
    """The portal function's environment (infra/components/portal.py): it has no Powertools service name, so it
    does not take sat_common's CommonSettings."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    main_table_name: str = Field(min_length=1)  # the sessions
    portal_session_key_id: str = Field(min_length=1)  # KMS key that encrypts the sessions' tokens
    # The key the API checks before it believes X-Portal-Client-Ip (decision 0080); empty: not forwarded.
    portal_forwarding_secret_arn: str = ""
    public_api_base_url: str = Field(min_length=1)  # the API the pages call


@dataclass(frozen=True)
class Deps:
    settings: PortalSettings
    store: SessionStore
    api: ApiClient


@cache
def settings() -> PortalSettings:
    return PortalSettings()  # type: ignore[call-arg]


@cache
def deps() -> Deps:
    import boto3

    config = settings()
    table = boto3.resource("dynamodb").Table(config.main_table_name)
    store = SessionStore(table, boto3.client("kms"), config.portal_session_key_id)
    forwarding_key = None
    if config.portal_forwarding_secret_arn:
        forwarding_key = boto3.client("secretsmanager").get_secret_value(SecretId=config.portal_forwarding_secret_arn)[
            "SecretString"
        ]
    return Deps(settings=config, store=store, api=ApiClient(config.public_api_base_url, forwarding_key))
