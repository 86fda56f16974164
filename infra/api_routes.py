"""The API's route table: the one place that says which function serves which route and who may call it.

The CDK app builds API Gateway from it; tests check it against the routes each function's resolver registers.
"""

from dataclasses import dataclass
from typing import Literal

# public: no authorizer; person: Cognito authorizer of the people pool; ccf_system: the Lambda TOKEN
# authorizer that verifies CCF systems' access tokens from POST /oauth2/token (decision 0040).
Auth = Literal["public", "person", "ccf_system"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    auth: Auth


ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", "catalog", "public"),
    Route("GET", "/openapi.json", "catalog", "public"),
    Route("GET", "/docs", "catalog", "public"),
    Route("GET", "/catalogs/{catalog}", "catalog", "public"),
    # Citizen registration and login (manual §5 "Registro de ciudadano", issue 3)
    Route("POST", "/registrations", "registration", "public"),
    Route("POST", "/registrations/{registrationId}/answers", "registration", "public"),
    Route("PUT", "/registrations/{registrationId}/contact", "registration", "public"),
    Route("POST", "/password-setup", "registration", "public"),
    Route("POST", "/sessions", "registration", "public"),
    Route("POST", "/sessions/refresh", "registration", "public"),
    Route("GET", "/me", "registration", "person"),
    Route("GET", "/me/roles", "registration", "person"),
    # --- hardening: the second factor (decision 0029)
    Route("POST", "/sessions/mfa", "registration", "public"),
    Route("POST", "/me/mfa/totp", "registration", "person"),
    Route("PUT", "/me/mfa/totp", "registration", "person"),
    # --- end hardening: the second factor
    # --- the routes the portal needs (decisions 0075-0077)
    Route("GET", "/registrations/{registrationId}", "registration", "public"),
    Route("POST", "/password-reset", "registration", "public"),
    Route("POST", "/sessions/logout", "registration", "person"),
    Route("PUT", "/me/contact", "registration", "person"),
    Route("PUT", "/me/email", "registration", "person"),
    Route("POST", "/me/email/confirmation", "registration", "person"),
    Route("PUT", "/me/consents", "registration", "person"),
    # --- end the routes the portal needs
    # --- issue 5: the Ministry's catalog and the CCF's use of it (functions/catalog, functions/oauth)
    Route("POST", "/admin/ccfs", "catalog", "person"),
    Route("GET", "/admin/ccfs", "catalog", "person"),
    Route("POST", "/admin/services", "catalog", "person"),
    Route("GET", "/admin/services", "catalog", "person"),
    Route("PATCH", "/admin/services/{serviceId}", "catalog", "person"),
    Route("POST", "/admin/ccfs/{nit}/services", "catalog", "person"),
    Route("DELETE", "/admin/ccfs/{nit}/services/{serviceId}", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/terms", "catalog", "person"),
    Route("POST", "/ccfs/{nit}/terms", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}/openapi.json", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}/docs", "catalog", "person"),
    Route("PUT", "/ccfs/{nit}/consumer-password", "catalog", "person"),
    Route("POST", "/oauth2/token", "oauth", "public"),
    Route("GET", "/sat/session", "oauth", "ccf_system"),
    # --- end issue 5
    # --- issue 4: employer role, delegate and authorized persons (functions/delegation)
    Route("POST", "/employers", "delegation", "person"),
    Route("GET", "/employers/{nit}", "delegation", "person"),
    Route("PATCH", "/employers/{nit}", "delegation", "person"),
    Route("POST", "/employers/{nit}/rut", "delegation", "person"),
    Route("PUT", "/employers/{nit}/delegate", "delegation", "person"),
    Route("PUT", "/employers/{nit}/headquarters", "delegation", "person"),
    Route("POST", "/employers/{nit}/confirmation", "delegation", "person"),
    Route("GET", "/employers/{nit}/authorizations", "delegation", "person"),
    Route("POST", "/employers/{nit}/authorizations", "delegation", "person"),
    Route("DELETE", "/employers/{nit}/authorizations/{authorizationId}", "delegation", "person"),
    Route("POST", "/admin/employers/{nit}/rut-review", "delegation", "person"),
    # --- end issue 4
    # --- issue 6 part A: the CCF's shared services (functions/share, decision 0050)
    Route("POST", "/ccfs/{nit}/shared-services", "share", "person"),
    Route("GET", "/ccfs/{nit}/shared-services", "share", "person"),
    Route("GET", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("PATCH", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("DELETE", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("PUT", "/ccfs/{nit}/shared-services/{sharedServiceId}/oauth", "share", "person"),
    Route("POST", "/ccfs/{nit}/shared-services/{sharedServiceId}/verification", "share", "person"),
    # --- end issue 6 part A
    # --- issue 6 part B: trámites and the SAT <-> CCF exchange (functions/exchange; decisions 0060-0063)
    Route("POST", "/admin/tramites", "exchange", "person"),
    Route("GET", "/admin/tramites/{numeroTransaccion}", "exchange", "person"),
    Route("POST", "/admin/tramites/{numeroTransaccion}/redrive", "exchange", "person"),
    Route("POST", "/sat/solicitud-afiliacion", "exchange", "ccf_system"),
    Route("POST", "/sat/respuesta-tramite-ccf", "exchange", "ccf_system"),
    Route("POST", "/sat/recepcion-traslado-caja", "exchange", "ccf_system"),
    Route("GET", "/.well-known/jwks.json", "exchange", "public"),
    # --- end issue 6 part B
)

# Functions with API routes, and functions fed by the outbox queue.
API_FUNCTIONS: tuple[str, ...] = tuple(dict.fromkeys(route.function for route in ROUTES))
# Functions fed by a queue: delivery (the e-mail outbox), notifications (trámite notifications, issue 6).
QUEUE_FUNCTIONS: tuple[str, ...] = ("delivery", "notifications")
# Lambda authorizers of API Gateway (not routes themselves): the one for auth="ccf_system".
AUTHORIZER_FUNCTIONS: tuple[str, ...] = ("ccf_authorizer",)
