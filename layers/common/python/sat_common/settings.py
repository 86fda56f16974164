"""Typed settings read from the environment; a missing variable fails the cold start, not a request."""

from pydantic import Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic import field_validator
from typing import Annotated


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    stage: str = Field(min_length=1)
    powertools_service_name: str = Field(min_length=1)


class ApiSettings(CommonSettings):
    cors_allowed_origins: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("cors_allowed_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value


class EmailSettings(CommonSettings):
    sender_email: str = Field(min_length=3)
    email_template_prefix: str = Field(min_length=1)
    main_table_name: str = Field(min_length=1)


class OutboxSettings(CommonSettings):
    outbox_queue_url: str = Field(min_length=1)
    portal_base_url: str = Field(min_length=1)
