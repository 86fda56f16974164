"""The terms an authorized person accepts or declines before using the CCF's services (manual §6, Paso 3)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from catalog import terms_of_use
from catalog.config import deps
from catalog.models import Terms, TermsDecision, TermsDecisionRequest
from catalog.routes.params import CCF_TAG, Nit
from sat_common.api import json_response, request_actor, request_caller

router = Router()


@router.get("/ccfs/<nit>/terms", summary="Condiciones de uso y política de privacidad vigentes", tags=CCF_TAG)
def get_terms(nit: Nit) -> Response[Terms]:
    caller = request_caller(router)
    return json_response(Terms.model_validate(terms_of_use.get_terms(deps(), caller, nit)))


@router.post("/ccfs/<nit>/terms", summary="Aceptar o declinar las condiciones (queda como evidencia)", tags=CCF_TAG)
def decide_terms(nit: Nit, request: Annotated[TermsDecisionRequest, Body()]) -> Response[TermsDecision]:
    caller = request_caller(router)
    actor = request_actor(router, caller)
    decided = terms_of_use.decide_terms(deps(), caller, nit, request.version, request.decision, actor)
    return json_response(TermsDecision.model_validate(decided))
