"""HTTP adapter of the reference-source ports: the contract in docs/reference-sources.md (decision 0071).

    GET {baseUrl}/people/{documentType}/{documentNumber}   200 Person JSON | 404 unknown
    GET {baseUrl}/companies/{nit}                          200 Company JSON | 404 unknown

Every request goes through the pinned outbound client (sat_common.outbound_http: URL checked, address
pinned, no redirects, connect/read timeouts and a total deadline). 404 is the only "unknown" answer; any
other failure (timeout, refused connection, TLS, 401/403, 429, 5xx, a body that is not the model, an answer
about someone else) raises `source_unavailable()`: 503 with Retry-After, never a false "not verified".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from sat_common import aws
from sat_common.errors import DomainError
from sat_common.observability import logger
from sat_common.outbound_http import OutboundError, SafeHttpClient
from sat_common.reference import Company, Person

DEFAULT_RETRY_AFTER = 5
MAX_RETRY_AFTER = 60
TOKEN_CACHE_SECONDS = 300  # a rotated secret is picked up within five minutes
Model = TypeVar("Model", bound=BaseModel)


def source_unavailable(retry_after: int = DEFAULT_RETRY_AFTER) -> DomainError:
    return DomainError(code="REFERENCE_SOURCE_UNAVAILABLE", status=503, headers={"Retry-After": str(retry_after)})


class SecretToken:
    """The bearer token from a Secrets Manager secret ({"token": "..."} or the bare string), cached a while.
    Secrets Manager faults propagate as botocore errors: the handler's aws_faults_as_unavailable maps them."""

    def __init__(self, secret_name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._secret_name = secret_name
        self._clock = clock
        self._value: str | None = None
        self._until = 0.0

    def __call__(self) -> str:
        now = self._clock()
        if self._value is None or now >= self._until:
            raw = aws.client("secretsmanager").get_secret_value(SecretId=self._secret_name)["SecretString"]
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw
            token = parsed.get("token") if isinstance(parsed, dict) else parsed
            if not isinstance(token, str) or not token:
                logger.error("reference source secret has no token")
                raise source_unavailable()
            self._value, self._until = token, now + TOKEN_CACHE_SECONDS
        return self._value


class HttpReferenceSource:
    def __init__(self, base_url: str, token: Callable[[], str], client: SafeHttpClient) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._client = client

    def person(self, document_type: str, document_number: str) -> Person | None:
        found = self._get(f"/people/{_segment(document_type)}/{_segment(document_number)}", Person)
        if found is not None and (found.documentType, found.documentNumber) != (document_type, document_number):
            logger.error("reference source answered about another person")
            raise source_unavailable()
        return found

    def company(self, nit: str) -> Company | None:
        found = self._get(f"/companies/{_segment(nit)}", Company)
        if found is not None and found.nit != nit:
            logger.error("reference source answered about another company")
            raise source_unavailable()
        return found

    def _get(self, path: str, model: type[Model]) -> Model | None:
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        try:
            response = self._client.request("GET", self._base_url + path, headers=headers)
        except OutboundError as error:
            # The reason only: the URL carries a document number (personal data).
            logger.warning("reference source unreachable", extra={"reason": error.reason_code})
            raise source_unavailable() from None
        status = response.status_code
        if status == 404:
            return None
        if status == 200:
            try:
                return model.model_validate_json(response.content)
            except ValidationError as error:
                logger.error(
                    "reference source answer does not match the contract", extra={"errors": error.error_count()}
                )
                raise source_unavailable() from None
        log = logger.error if status in (401, 403) else logger.warning  # 401/403: our credential, an operator's job
        log("reference source refused the lookup", extra={"statusCode": status})
        raise source_unavailable(_retry_after(response.headers.get("retry-after")))


def _segment(value: str) -> str:
    return quote(value, safe="")


def _retry_after(value: Any) -> int:
    """The source's own Retry-After in seconds when it gives a sane one, else the default."""
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 1), MAX_RETRY_AFTER)
