"""The Ministry's CCFs: activate a company's CCF role, list the CCFs, suspend or reactivate one (decision 0093)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from catalog import ccf_activation
from catalog.config import deps
from catalog.models import Ccf, CcfActivationRequest, CcfPage, CcfStatePatch
from catalog.routes.params import ADMIN_TAG, Nit, ministry_caller
from sat_common import listing
from sat_common.api import json_response, request_actor
from sat_common.operator_groups import AUDITOR, CATALOG

router = Router()


@router.post(
    "/admin/ccfs",
    summary="Activar el rol CCF de una empresa registrada",
    tags=ADMIN_TAG,
    responses={201: {"description": "Rol CCF activado"}},
)
def activate_ccf(request: Annotated[CcfActivationRequest, Body()]) -> Response[Ccf]:
    caller = ministry_caller(router, CATALOG)
    activated = ccf_activation.activate_ccf(deps(), request.nit, request_actor(router, caller))
    return json_response(Ccf.model_validate(activated), 201)


@router.get("/admin/ccfs", summary="CCF activadas (paginado)", tags=ADMIN_TAG)
def list_ccfs(
    limit: Annotated[int, Query(ge=1, le=100, description="Tamaño de página")] = 50,
    nextToken: Annotated[str | None, Query(max_length=1024, description="Página siguiente")] = None,
) -> Response[CcfPage]:
    ministry_caller(router, CATALOG, AUDITOR)
    listing.reject_unknown_query(router.current_event.raw_event, frozenset({"limit", "nextToken"}))
    return json_response(CcfPage.model_validate(ccf_activation.list_ccfs(deps(), limit, nextToken)))


@router.patch(
    "/admin/ccfs/<nit>",
    summary="Suspender o reactivar una CCF (con motivo)",
    description="SUSPENDED: sus Client ID no obtienen tokens, sus tokens dejan de valer en /sat en 60 s como "
    "máximo y sus autorizados ven la suspensión; nada se borra. ACTIVE la restablece tal como estaba.",
    tags=ADMIN_TAG,
)
def patch_ccf(nit: Nit, request: Annotated[CcfStatePatch, Body()]) -> Response[Ccf]:
    caller = ministry_caller(router, CATALOG)
    changed = ccf_activation.set_ccf_state(deps(), nit, request.state, request.reason, request_actor(router, caller))
    return json_response(Ccf.model_validate(changed))
