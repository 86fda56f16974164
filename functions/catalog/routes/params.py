"""What the catalog routers share: path parameters, tags, and who may call the Ministry's routes."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from aws_lambda_powertools.event_handler.openapi.params import Path

from catalog.config import deps
from catalog.models import NIT_PATTERN, SERVICE_ID_PATTERN
from sat_common import ministry
from sat_common.api import request_caller
from sat_common.auth import Caller

ADMIN_TAG = ["Ministerio"]
CCF_TAG = ["Administración de servicios web externos"]
Nit = Annotated[str, Path(pattern=NIT_PATTERN, description="NIT de la CCF (9 dígitos, sin dígito de verificación)")]
ServiceId = Annotated[str, Path(pattern=SERVICE_ID_PATTERN, description="Id del servicio, p. ej. solicitud-afiliacion")]


def ministry_caller(router: BaseRouter, *admitted: str) -> Caller:
    """The operator, if `ministerio` or one of the `admitted` groups (the route's `admits` in infra/api_routes.py,
    decision 0090), checked live: group, account state and TOTP (decision 0029)."""
    caller = request_caller(router)
    ministry.require_operator(caller, *admitted)
    return caller


def base_url() -> str:
    """The URL CCF systems use: configured, never the request's Host (decision 0054)."""
    return deps().settings.public_api_base_url
