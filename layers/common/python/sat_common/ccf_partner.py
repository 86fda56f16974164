"""The CCF's side of the exchange as the Ministry sees it: its ACTIVE shared service that receives trámite
notifications (purpose NOTIFICACION_TRAMITES, decision 0106) with the OAuth settings, the secrets and the
public key registered for it (sat_common.shared_services, decision 0050).

One adapter, used by the notifications worker (endpoint + credentials) and the exchange function (the public
key the pull is encrypted to), so the shape of the shared-service records is known in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sat_common.ccf_oauth_client import Credentials, OAuthSettings


@dataclass(frozen=True)
class PartnerEndpoint:
    shared_service_id: str
    url: str
    operation: str
    oauth: OAuthSettings | None
    credentials: Credentials
    revision: str  # changes when the registration changes: part of the token cache key

    def __repr__(self) -> str:  # never the secrets
        return f"PartnerEndpoint(id={self.shared_service_id!r}, url={self.url!r}, operation={self.operation!r})"

    @property
    def public_key_pem(self) -> str | None:
        return self.credentials.public_key


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value.get_secret_value() if hasattr(value, "get_secret_value") else value
    return None


def _credentials(raw: Any) -> Credentials:
    if isinstance(raw, Credentials):
        return raw
    return Credentials(
        password=_field(raw, "password"),
        client_secret=_field(raw, "client_secret", "clientSecret"),
        public_key=_field(raw, "public_key", "publicKey"),
    )


def _oauth(metadata: Any) -> OAuthSettings | None:
    nested = _field(metadata, "oauth")
    source = nested if nested is not None else metadata
    if isinstance(source, OAuthSettings):
        return source
    token_url = _field(source, "token_url", "tokenUrl")
    client_id = _field(source, "client_id", "clientId")
    if not token_url or not client_id:
        return None
    return OAuthSettings(
        token_url=str(token_url),
        client_id=str(client_id),
        username=_field(source, "username"),
        scope=_field(source, "scope"),
        token_name=_field(source, "token_name", "tokenName"),
    )


def notification_endpoint(nit: str) -> PartnerEndpoint | None:
    """The CCF's ACTIVE notification service (purpose NOTIFICACION_TRAMITES), or None."""
    from sat_common import shared_services

    found = shared_services.find_notification_service(nit)
    if not found:
        return None
    metadata, raw_credentials = found
    return PartnerEndpoint(
        shared_service_id=str(_field(metadata, "shared_service_id", "sharedServiceId", "id") or ""),
        url=str(_field(metadata, "url")),
        operation=str(_field(metadata, "operation") or "POST").upper(),
        oauth=_oauth(metadata),
        credentials=_credentials(raw_credentials),
        revision=str(_field(metadata, "updated_at", "updatedAt", "revision") or ""),
    )
