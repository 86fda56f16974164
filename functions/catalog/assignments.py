"""The Ministry assigns a service to a CCF, which creates its Client ID (a Cognito app client of the CCF-clients
pool), and revokes it (the Client ID stops obtaining tokens). Decision 0040."""

from typing import Any

from catalog import service_catalog
from catalog.config import Deps
from catalog.models import AssignmentRequest
from sat_common import audit, aws, ccf_access, clock, keys
from sat_common.audit import Actor
from sat_common.errors import DomainError
from sat_common.observability import logger

ASSIGNMENT_FIELDS = ("nit", "serviceId", "clientId", "status", "assignedAt")


def assign(deps: Deps, nit: str, data: AssignmentRequest, actor: Actor) -> dict[str, Any]:
    activation = deps.store.activation(nit)
    if not activation or activation.get("status") != ccf_access.ACTIVE:
        raise DomainError(code="CCF_NOT_ACTIVE", status=404, params={"nit": nit})
    service = service_catalog.get_service(deps, data.serviceId)
    if service["state"] != ccf_access.ACTIVE:
        raise DomainError(code="SERVICE_INACTIVE", status=409, params={"serviceId": data.serviceId})
    existing = deps.store.assignment(nit, data.serviceId)
    if existing and existing.get("status") == ccf_access.ACTIVE:
        raise _already_assigned(nit, data.serviceId)
    client_id = _create_client(deps, nit, data.serviceId)
    now = clock.stamp()
    assignment = {
        **ccf_access.assignment_key(nit, data.serviceId),
        "nit": nit,
        "serviceId": data.serviceId,
        "clientId": client_id,
        "status": ccf_access.ACTIVE,
        "assignedAt": now,
        "assignedBy": actor.subject,
    }
    lookup = {**ccf_access.client_key(client_id), "nit": nit, "serviceId": data.serviceId, "createdAt": now}
    if not deps.store.record_assignment(assignment, lookup):
        _delete_client(deps, client_id)  # a concurrent assignment won: leave no orphan client
        raise _already_assigned(nit, data.serviceId)
    details = {"serviceId": data.serviceId, "clientId": client_id}
    audit.record(deps.settings.audit_table_name, keys.ccf(nit), "SERVICE_ASSIGNED", actor, details)
    return {key: assignment[key] for key in ASSIGNMENT_FIELDS}


def revoke(deps: Deps, nit: str, service_id: str, actor: Actor) -> None:
    not_found = DomainError(code="ASSIGNMENT_NOT_FOUND", status=404, params={"nit": nit, "serviceId": service_id})
    item = deps.store.assignment(nit, service_id)
    if not item or item.get("status") != ccf_access.ACTIVE:
        raise not_found
    if not deps.store.revoke_assignment(nit, service_id, item["clientId"], clock.stamp(), actor.subject):
        raise not_found
    _delete_client(deps, item["clientId"])
    details = {"serviceId": service_id, "clientId": item["clientId"]}
    audit.record(deps.settings.audit_table_name, keys.ccf(nit), "SERVICE_REVOKED", actor, details)


def _already_assigned(nit: str, service_id: str) -> DomainError:
    return DomainError(code="SERVICE_ALREADY_ASSIGNED", status=409, params={"nit": nit, "serviceId": service_id})


def _create_client(deps: Deps, nit: str, service_id: str) -> str:
    client = aws.client("cognito-idp").create_user_pool_client(
        UserPoolId=deps.settings.clients_user_pool_id,
        ClientName=f"ccf-{nit}-{service_id}"[:128],
        GenerateSecret=False,
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=True,
    )["UserPoolClient"]
    return str(client["ClientId"])


def _delete_client(deps: Deps, client_id: str) -> None:
    """Best effort: the token endpoint already refuses a revoked assignment whatever Cognito says."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("cognito-idp").delete_user_pool_client(
            UserPoolId=deps.settings.clients_user_pool_id, ClientId=client_id
        )
    except (ClientError, BotoCoreError) as error:
        logger.warning("could not delete app client", extra={"errorType": type(error).__name__})
