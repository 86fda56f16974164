"""API Gateway TOKEN authorizer of the /sat routes: the CCF system's access token from POST /oauth2/token.

Verifies the RS256 signature (KMS public key, fetched once per environment) and the issuer, audience,
expiry and not-before claims, then reads the assignment, the service, the CCF's activation (SUSPENDED: refused,
decision 0093) and its consumer password item on every (uncached) call, in one BatchGetItem: a revoked
assignment, an inactive service, a suspended CCF or an immediate password rotation (a token obtained with an
older password revision than `tokensNotBeforeRevision`) stops working within the authorizer cache TTL
(decisions 0040, 0041). The policy allows only the token's own service (its operation and path) plus
GET /sat/session, so a token of service A cannot call service B, and the context carries the CCF's NIT from
the token, never from the request.
"""

from typing import Any

from ccf_authorizer.config import settings
from sat_common import ccf_access
from sat_common.items import ItemStore
from sat_common.observability import logger


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = str(event.get("authorizationToken") or "").strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    method_arn = str(event.get("methodArn") or "")
    config = settings()
    try:
        claims = ccf_access.verify_token(
            config.token_signing_key_id, token, issuer=ccf_access.token_issuer(config.public_api_base_url)
        )
    except ccf_access.InvalidToken as error:
        logger.info("token refused", extra={"reason": str(error)})
        # API Gateway's 401: the UNAUTHORIZED gateway response, with `WWW-Authenticate: Bearer realm="sat-ccf",
        # error="invalid_token"` (RFC 6750 §3, infra/components/api.py; decision 0100).
        raise Exception("Unauthorized") from None
    # Everything the answer depends on, in one read (BatchGetItem, decision 0112).
    assignment, service, activation, password = ItemStore(config.main_table_name).get_many(
        [
            ccf_access.assignment_key(claims.nit, claims.service_id),
            ccf_access.service_key(claims.service_id),
            ccf_access.activation_key(claims.nit),
            ccf_access.password_key(claims.nit),
        ],
        attributes=("status", "clientId", "state", "operation", "endpointPath", "tokensNotBeforeRevision"),
    )
    if (
        not assignment
        or assignment.get("status") != ccf_access.ACTIVE
        or assignment.get("clientId") != claims.client_id
        or not service
        or service.get("state") != ccf_access.ACTIVE
    ):
        logger.info("token of a revoked assignment or inactive service", extra={"clientId": claims.client_id})
        raise Exception("Unauthorized")
    if (activation or {}).get("status") != ccf_access.ACTIVE:  # a suspended CCF (decision 0093)
        logger.info("token of a CCF that is not active", extra={"clientId": claims.client_id})
        raise Exception("Unauthorized")
    if claims.password_revision < int((password or {}).get("tokensNotBeforeRevision", 0)):
        logger.info("token issued before an immediate password rotation", extra={"clientId": claims.client_id})
        raise Exception("Unauthorized")
    if any(char in str(service.get("endpointPath", "")) for char in "*?"):
        # IAM-style wildcards in a policy resource would open other routes (catalog refuses them since 0054).
        logger.error("service path with a wildcard", extra={"serviceId": claims.service_id})
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
