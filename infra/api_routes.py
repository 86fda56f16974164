"""The API's route table: the one place that says which function serves which route and who may call it.

The CDK app builds API Gateway from it; tests check it against the routes each function's resolver registers.
"""

from dataclasses import dataclass
from typing import Literal

# public: no authorizer; person: Cognito authorizer of the people pool; ccf_system: the Lambda TOKEN
# authorizer that verifies CCF systems' access tokens from POST /oauth2/token (decision 0040).
Auth = Literal["public", "person", "ccf_system"]

# The Ministry's operator groups a route may admit besides the administrator `ministerio` (the same names as
# sat_common.operator_groups, which the infra does not import; tests/infra/test_admin_route_groups.py checks them).
REVIEWER = "ministerio-revisor"
CATALOG = "ministerio-catalogo"
EXCHANGE = "ministerio-intercambio"
AUDITOR = "ministerio-auditor"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    auth: Auth
    # /admin routes: the operator groups admitted besides `ministerio` (sat_common.operator_groups), which the
    # function checks live (sat_common.ministry.require_operator) and the authorization matrix tests.
    admits: tuple[str, ...] = ()


ROUTES: tuple[Route, ...] = (
    Route("GET", "/health", "catalog", "public"),
    Route("GET", "/openapi.json", "catalog", "public"),
    Route("GET", "/docs", "catalog", "public"),
    Route("GET", "/catalogs/{catalog}", "catalog", "public"),
    # Citizen registration and login (manual §5 "Registro de ciudadano")
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
    # --- back office: the Ministry's operators and the help desk, administrator only (decisions 0090, 0091)
    Route("GET", "/admin/operators", "registration", "person", admits=()),
    Route("POST", "/admin/operators", "registration", "person", admits=()),
    Route("PATCH", "/admin/operators/{operatorId}", "registration", "person", admits=()),
    Route("POST", "/admin/people/{documentType}/{documentNumber}/unlock", "registration", "person", admits=()),
    # --- end of the operators
    # --- §6: the Ministry's catalog and the CCF's use of it (functions/catalog, functions/oauth)
    Route("POST", "/admin/ccfs", "catalog", "person", admits=(CATALOG,)),
    Route("GET", "/admin/ccfs", "catalog", "person", admits=(CATALOG, AUDITOR)),
    Route("PATCH", "/admin/ccfs/{nit}", "catalog", "person", admits=(CATALOG,)),  # suspension (decision 0093)
    Route("POST", "/admin/services", "catalog", "person", admits=(CATALOG,)),
    Route("GET", "/admin/services", "catalog", "person", admits=(CATALOG, AUDITOR)),
    Route("PATCH", "/admin/services/{serviceId}", "catalog", "person", admits=(CATALOG,)),
    Route("POST", "/admin/ccfs/{nit}/services", "catalog", "person", admits=(CATALOG,)),
    Route("DELETE", "/admin/ccfs/{nit}/services/{serviceId}", "catalog", "person", admits=(CATALOG,)),
    Route("GET", "/ccfs/{nit}/terms", "catalog", "person"),
    Route("POST", "/ccfs/{nit}/terms", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}/openapi.json", "catalog", "person"),
    Route("GET", "/ccfs/{nit}/services/{serviceId}/docs", "catalog", "person"),
    Route("PUT", "/ccfs/{nit}/consumer-password", "catalog", "person"),
    Route("POST", "/oauth2/token", "oauth", "public"),
    # the token endpoint's RFC 8414 metadata and its access tokens' keys (decision 0100)
    Route("GET", "/.well-known/oauth-authorization-server", "oauth", "public"),
    Route("GET", "/oauth2/jwks.json", "oauth", "public"),
    Route("GET", "/sat/session", "oauth", "ccf_system"),
    # --- end of §6's catalog
    # --- §5: employer role, delegate and authorized persons (functions/delegation)
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
    Route("POST", "/admin/employers/{nit}/rut-review", "delegation", "person", admits=(REVIEWER,)),
    # the RUT review queue and viewer (decision 0092)
    Route("GET", "/admin/employers", "delegation", "person", admits=(REVIEWER, AUDITOR)),
    Route("GET", "/admin/employers/{nit}", "delegation", "person", admits=(REVIEWER, AUDITOR)),
    Route("GET", "/admin/employers/{nit}/rut", "delegation", "person", admits=(REVIEWER,)),
    # --- end of §5's employer routes
    # --- §6 Compartir servicios: the CCF's shared services (functions/share, decision 0050)
    Route("POST", "/ccfs/{nit}/shared-services", "share", "person"),
    Route("GET", "/ccfs/{nit}/shared-services", "share", "person"),
    Route("GET", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("PATCH", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("DELETE", "/ccfs/{nit}/shared-services/{sharedServiceId}", "share", "person"),
    Route("PUT", "/ccfs/{nit}/shared-services/{sharedServiceId}/oauth", "share", "person"),
    Route("POST", "/ccfs/{nit}/shared-services/{sharedServiceId}/verification", "share", "person"),
    Route("POST", "/ccfs/{nit}/shared-services/{sharedServiceId}/keys", "share", "person"),
    Route("DELETE", "/ccfs/{nit}/shared-services/{sharedServiceId}/keys/{kid}", "share", "person"),
    Route("POST", "/ccfs/{nit}/shared-services/{sharedServiceId}/test-notification", "share", "person"),  # 0108
    # the CCF's own trámites and deliveries (functions/exchange ccf_deliveries, decision 0107)
    Route("GET", "/ccfs/{nit}/tramites", "exchange", "person"),
    Route("GET", "/ccfs/{nit}/tramites/{numeroTransaccion}", "exchange", "person"),
    Route("POST", "/ccfs/{nit}/tramites/{numeroTransaccion}/redelivery", "exchange", "person"),
    # --- end of the shared services
    # --- trámites and the SAT <-> CCF exchange (functions/exchange; decisions 0060-0063)
    Route("POST", "/admin/tramites", "exchange", "person", admits=(EXCHANGE,)),
    Route("GET", "/admin/tramites/{numeroTransaccion}", "exchange", "person", admits=(EXCHANGE, AUDITOR)),
    Route("POST", "/admin/tramites/{numeroTransaccion}/redrive", "exchange", "person", admits=(EXCHANGE,)),
    # --- the back office's trámites (decision 0094) lists and bulk redrive (decision 0094), audit search (0095)
    Route("GET", "/admin/tramites", "exchange", "person", admits=(EXCHANGE, AUDITOR)),
    Route("POST", "/admin/tramites/redrive", "exchange", "person", admits=(EXCHANGE,)),
    Route("GET", "/admin/audit", "backoffice", "person", admits=(AUDITOR,)),
    # --- end of the back office's trámites
    Route("POST", "/sat/solicitud-afiliacion", "exchange", "ccf_system"),
    Route("POST", "/sat/respuesta-tramite-ccf", "exchange", "ccf_system"),
    Route("POST", "/sat/recepcion-traslado-caja", "exchange", "ccf_system"),
    Route("GET", "/.well-known/jwks.json", "exchange", "public"),
    # --- end of the exchange
)

# Functions with API routes, and functions fed by the outbox queue.
API_FUNCTIONS: tuple[str, ...] = tuple(dict.fromkeys(route.function for route in ROUTES))
# Functions fed by a queue: delivery (the e-mail outbox), notifications (trámite notifications, decision 0062).
QUEUE_FUNCTIONS: tuple[str, ...] = ("delivery", "notifications")
# Lambda authorizers of API Gateway (not routes themselves): the one for auth="ccf_system".
AUTHORIZER_FUNCTIONS: tuple[str, ...] = ("ccf_authorizer",)
