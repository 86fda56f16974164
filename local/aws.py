"""boto3 clients for the local moto endpoint, always with fake credentials (nothing reaches AWS)."""

from __future__ import annotations

from typing import Any

import boto3

FAKE_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def client(service: str, endpoint: str, region: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **FAKE_CREDENTIALS)


def resource(service: str, endpoint: str, region: str) -> Any:
    return boto3.resource(service, endpoint_url=endpoint, region_name=region, **FAKE_CREDENTIALS)
