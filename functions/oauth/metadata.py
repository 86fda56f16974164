"""What a CCF's OAuth client can discover about the token endpoint (decision 0100): the RFC 8414 metadata and
the JWKS (RFC 7517) of the key that signs the access tokens, so anyone can verify a token and its issuer."""

from typing import Any

from oauth.config import OAuthSettings
from oauth.tokens import AUTH_METHODS, CLIENT_CREDENTIALS, PASSWORD
from sat_common import ccf_access

METADATA_PATH = "/.well-known/oauth-authorization-server"
JWKS_PATH = "/oauth2/jwks.json"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path


def authorization_server(settings: OAuthSettings) -> dict[str, Any]:
    """RFC 8414 §2. The issuer is the API's base URL, the tokens' `iss`; no authorization endpoint (no grant of
    this server uses one), hence no response types; the password grant only while it is enabled (RFC 9700)."""
    issuer = ccf_access.token_issuer(settings.public_api_base_url)
    grants = [CLIENT_CREDENTIALS, *([PASSWORD] if settings.oauth_password_grant_enabled else [])]
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}{TOKEN_PATH}",
        "jwks_uri": f"{issuer}{JWKS_PATH}",
        "grant_types_supported": grants,
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "response_types_supported": [],
        "service_documentation": f"{issuer}/docs",
    }


def jwks(settings: OAuthSettings) -> dict[str, list[dict[str, str]]]:
    return ccf_access.public_jwks(settings.token_signing_key_id)
