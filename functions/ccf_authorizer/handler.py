"""API Gateway TOKEN authorizer of the /sat routes: the CCF system's access token from POST /oauth2/token.

Verifies the RS256 signature (KMS public key, fetched once per environment), audience and expiry, then
reads the assignment and the service on every (uncached) call: a revoked assignment or an inactive
service stops working within the authorizer cache TTL (decision 0040). The policy allows only the
token's own service (its operation and path) plus GET /sat/session, so a token of service A cannot call
service B, and the context carries the CCF's NIT from the token, never from the request.
"""

from functools import cache
from typing import Any

from sat_common import ccf_access
from sat_common.items import ItemStore
from sat_common.observability import logger
from sat_common.settings import MainTableSettings, TokenSigningSettings


class AuthorizerSettings(MainTableSettings, TokenSigningSettings):
    pass


@cache
def settings() -> AuthorizerSettings:
    return AuthorizerSettings()  # type: ignore[call-arg]


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = str(event.get("authorizationToken") or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    method_arn = str(event.get("methodArn") or "")
    config = settings()
    try:
        claims = ccf_access.verify_token(config.token_signing_key_id, token)
    except ccf_access.InvalidToken as error:
        logger.info("token refused", extra={"reason": str(error)})
        raise Exception("Unauthorized") from None  # API Gateway's 401 (UNAUTHORIZED gateway response)
    store = ItemStore(config.main_table_name)
    assignment = store.get(ccf_access.assignment_key(claims.nit, claims.service_id))
    service = store.get(ccf_access.service_key(claims.service_id))
    if (
        not assignment
        or assignment.get("status") != ccf_access.ACTIVE
        or assignment.get("clientId") != claims.client_id
        or not service
        or service.get("state") != ccf_access.ACTIVE
    ):
        logger.info("token of a revoked assignment or inactive service", extra={"clientId": claims.client_id})
        raise Exception("Unauthorized")
    prefix = "/".join(method_arn.split("/")[:2])  # arn:aws:execute-api:<region>:<account>:<api>/<stage>
    resources = [
        f"{prefix}/{service['operation']}{service['endpointPath']}",
        f"{prefix}/GET{ccf_access.SESSION_PATH}",
    ]
    return {
        "principalId": claims.client_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resources}],
        },
        "context": {
            "ccfNit": claims.nit,
            "serviceId": claims.service_id,
            "clientId": claims.client_id,
            "jti": claims.jti,
            "expiresAt": claims.expires_at,
        },
    }
