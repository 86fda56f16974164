"""The portal's settings and AWS clients, created on first use (nothing AWS at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from portal.api_client import ApiClient
from portal.sessions import SessionStore


@dataclass(frozen=True)
class Deps:
    store: SessionStore
    api: ApiClient


@lru_cache(maxsize=1)
def deps() -> Deps:
    import boto3

    table = boto3.resource("dynamodb").Table(os.environ["MAIN_TABLE_NAME"])
    store = SessionStore(table, boto3.client("kms"), os.environ["PORTAL_SESSION_KEY_ID"])
    forwarding_key = None
    secret_arn = os.environ.get("PORTAL_FORWARDING_SECRET_ARN")
    if secret_arn:  # the key the API checks before it believes X-Portal-Client-Ip (decision 0080)
        forwarding_key = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    return Deps(store=store, api=ApiClient(os.environ["PUBLIC_API_BASE_URL"], forwarding_key))
