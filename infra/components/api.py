"""The REST API, built from the route table in infra/api_routes.py.

Every route is a Lambda proxy integration to the function the table names; `person` routes use the
Cognito authorizer of the people pool, `public` routes have no authorizer. Errors produced by API
Gateway itself (authorizer, throttling, WAF, validation, unknown route) are problem+json in Spanish.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.api_routes import Route
from infra.components.common import retention
from infra.components.messages import gateway_problem
from infra.config import StageConfig

CORS_ALLOW_HEADERS = ["Content-Type", "Authorization", "Accept-Language", "Idempotency-Key", "X-Request-Id"]
CORS_EXPOSE_HEADERS = ["Location", "Retry-After", "X-Request-Id"]
CCF_AUTHORIZER_FUNCTION = "ccf_authorizer"  # infra/api_routes.py AUTHORIZER_FUNCTIONS
CCF_AUTHORIZER_CACHE_SECONDS = 60
_PATH_PARAM = re.compile(r"{([A-Za-z0-9_]+)\+?}")

# Same vocabulary as the functions' errors (layers/common/python/sat_common/problem.py): `type` =
# PROBLEM_TYPE_BASE + code in kebab case; the Spanish title/detail from the functions' messages file
# (sat_common/messages/problems.json, its `gateway` variant where the functions' detail has placeholders or a list).
PROBLEM_TYPE_BASE = "https://sat-ccf.minsalud.example/problemas/"
_NOT_FOUND = gateway_problem("NOT_FOUND")
_UNAUTHENTICATED = gateway_problem("UNAUTHENTICATED")
_FORBIDDEN = gateway_problem("FORBIDDEN")
_INVALID = gateway_problem("VALIDATION_FAILED")
_INTERNAL = gateway_problem("INTERNAL_ERROR")
_UNAVAILABLE = gateway_problem("SERVICE_UNAVAILABLE")
_TOO_MANY = gateway_problem("TOO_MANY_REQUESTS")

# The challenge of every 401 API Gateway answers itself, for the people's Cognito routes and the CCF systems' /sat
# routes alike (RFC 6750 §3; decision 0100). One static value: a gateway response cannot tell a missing token from
# a bad one, so `error` is there even where RFC 6750 §3.1 says it SHOULD NOT be (no token at all).
BEARER_CHALLENGE = 'Bearer realm="sat-ccf", error="invalid_token"'

# (response type, HTTP status, (code, title, detail)) of the responses API Gateway generates itself.
GATEWAY_RESPONSES: tuple[tuple[apigw.ResponseType, int, tuple[str, str, str]], ...] = (
    (apigw.ResponseType.DEFAULT_4_XX, 400, _INVALID),
    (apigw.ResponseType.DEFAULT_5_XX, 500, _INTERNAL),
    (apigw.ResponseType.UNAUTHORIZED, 401, _UNAUTHENTICATED),
    (apigw.ResponseType.EXPIRED_TOKEN, 401, _UNAUTHENTICATED),
    (apigw.ResponseType.INVALID_SIGNATURE, 401, _UNAUTHENTICATED),
    (apigw.ResponseType.ACCESS_DENIED, 403, _FORBIDDEN),
    (apigw.ResponseType.WAF_FILTERED, 403, gateway_problem("REQUEST_BLOCKED")),
    # Every non-public route has the Cognito authorizer (UNAUTHORIZED above), so API Gateway only
    # answers MISSING_AUTHENTICATION_TOKEN for a path/method that does not exist: report it as 404.
    (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, _NOT_FOUND),
    (apigw.ResponseType.RESOURCE_NOT_FOUND, 404, _NOT_FOUND),
    (apigw.ResponseType.BAD_REQUEST_PARAMETERS, 400, _INVALID),
    (apigw.ResponseType.BAD_REQUEST_BODY, 400, _INVALID),
    (apigw.ResponseType.REQUEST_TOO_LARGE, 413, gateway_problem("PAYLOAD_TOO_LARGE")),
    (apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, 415, gateway_problem("UNSUPPORTED_MEDIA_TYPE")),
    (apigw.ResponseType.THROTTLED, 429, _TOO_MANY),
    (apigw.ResponseType.QUOTA_EXCEEDED, 429, _TOO_MANY),
    (apigw.ResponseType.INTEGRATION_TIMEOUT, 504, _UNAVAILABLE),
    (apigw.ResponseType.INTEGRATION_FAILURE, 502, _UNAVAILABLE),
    (apigw.ResponseType.AUTHORIZER_FAILURE, 500, _INTERNAL),
    (apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, 500, _INTERNAL),
    (apigw.ResponseType.API_CONFIGURATION_ERROR, 500, _INTERNAL),
)


def problem_template(status: int, code: str, title: str, detail: str) -> str:
    problem_type = PROBLEM_TYPE_BASE + code.lower().replace("_", "-")
    body = {"type": problem_type, "title": title, "status": status, "detail": detail, "code": code}
    text = json.dumps(body, ensure_ascii=False)
    # VTL: the request id is safe to interpolate (a UUID); it lets support correlate the error.
    return text[:-1] + ', "requestId": "$context.requestId"}'


def path_parameters(path: str) -> list[str]:
    return _PATH_PARAM.findall(path)


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: StageConfig,
        routes: Iterable[Route],
        functions: Mapping[str, lambda_.IFunction],
        people_pool: cognito.IUserPool,
    ) -> None:
        super().__init__(scope, id_)
        self.routes = tuple(routes)
        self.access_log_group = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{config.prefix}-api/access",
            retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{config.prefix}-api",
            description="SAT - Administración de servicios web externos (CCF)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # API Gateway needs the account-level CloudWatch role to write access/execution logs.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=config.stage,
                throttling_rate_limit=config.api_throttling_rate_limit,
                throttling_burst_limit=config.api_throttling_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_log_group),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # request/response bodies carry personal data
                metrics_enabled=True,
                tracing_enabled=True,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=list(config.cors_allowed_origins),
                allow_methods=apigw.Cors.ALL_METHODS,
                allow_headers=CORS_ALLOW_HEADERS,
                expose_headers=CORS_EXPOSE_HEADERS,
                allow_credentials=False,
            ),
        )
        self.validator = self.rest_api.add_request_validator(
            "RequestValidator",
            request_validator_name="params-and-body",
            validate_request_parameters=True,
            validate_request_body=True,
        )
        self._add_gateway_responses(config)
        # Where CCF systems reach this API (decision 0054): the configured apiBaseUrl, else the stage URL.
        self.base_url = config.api_base_url or self._stage_url(config.stage)
        self.authorizer: apigw.CognitoUserPoolsAuthorizer | None = None
        self.ccf_authorizer: apigw.TokenAuthorizer | None = None
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        integrations: dict[str, apigw.Integration] = {}
        for route in self.routes:
            if route.auth not in ("public", "person", "ccf_system"):
                raise ValueError(f"unknown auth {route.auth!r} for {route.method} {route.path}")
            resource = self.rest_api.root.resource_for_path(route.path)
            if route.function not in integrations:
                integrations[route.function] = self._lambda_proxy(route.function, functions[route.function])
            integration = integrations[route.function]
            options: dict[str, object] = {
                "request_validator": self.validator,
                "request_parameters": {f"method.request.path.{p}": True for p in path_parameters(route.path)},
                "operation_name": f"{route.function}:{route.method} {route.path}",
            }
            if route.auth == "person":
                options["authorizer"] = self._people_authorizer(people_pool)
                options["authorization_type"] = apigw.AuthorizationType.COGNITO
            elif route.auth == "ccf_system":
                options["authorizer"] = self._ccf_authorizer(functions[CCF_AUTHORIZER_FUNCTION])
                options["authorization_type"] = apigw.AuthorizationType.CUSTOM
            else:
                options["authorization_type"] = apigw.AuthorizationType.NONE
            self.methods[(route.method, route.path)] = resource.add_method(route.method, integration, **options)  # type: ignore[arg-type]

    def _lambda_proxy(self, area: str, function: lambda_.IFunction) -> apigw.Integration:
        """A Lambda proxy integration with ONE invoke permission per function for this API, instead of the one
        per method LambdaIntegration adds: CloudFormation allows 500 resources per stack (decision 0005)."""
        stack = Stack.of(self)
        pascal = "".join(part.capitalize() for part in area.split("_"))
        function.add_permission(
            f"{pascal}ApiInvoke",
            principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
            source_arn=self.rest_api.arn_for_execute_api("*", "/*", "*"),
        )
        return apigw.Integration(
            type=apigw.IntegrationType.AWS_PROXY,
            integration_http_method="POST",
            uri=f"arn:{stack.partition}:apigateway:{stack.region}:lambda:path/2015-03-31/functions/"
            f"{function.function_arn}/invocations",
        )

    def _stage_url(self, stage: str) -> str:
        """The stage's URL composed from the RestApi id, not `rest_api.url`: that one refers to the Stage, which
        depends on the deployment, the methods and the functions, so a function's environment cannot use it."""
        stack = Stack.of(self)
        return f"https://{self.rest_api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/{stage}"

    def _people_authorizer(self, pool: cognito.IUserPool) -> apigw.CognitoUserPoolsAuthorizer:
        # Created on first use: an authorizer attached to no method fails synthesis.
        if self.authorizer is None:
            self.authorizer = apigw.CognitoUserPoolsAuthorizer(
                self,
                "PeopleAuthorizer",
                authorizer_name="people",
                cognito_user_pools=[pool],
                identity_source="method.request.header.Authorization",
            )
        return self.authorizer

    def _ccf_authorizer(self, function: lambda_.IFunction) -> apigw.TokenAuthorizer:
        # CCF systems' access tokens (POST /oauth2/token), verified by functions/ccf_authorizer. The
        # policy is cached per token for CCF_AUTHORIZER_CACHE_SECONDS: the bound within which a revoked
        # assignment stops working (decision 0040).
        if self.ccf_authorizer is None:
            self.ccf_authorizer = apigw.TokenAuthorizer(
                self,
                "CcfSystemAuthorizer",
                authorizer_name="ccf-system",
                handler=function,
                identity_source="method.request.header.Authorization",
                results_cache_ttl=Duration.seconds(CCF_AUTHORIZER_CACHE_SECONDS),
            )
        return self.ccf_authorizer

    def _add_gateway_responses(self, config: StageConfig) -> None:
        headers = {"Content-Type": "'application/problem+json'"}
        if len(config.cors_allowed_origins) == 1:
            # One origin can be stated statically; with several the browser cannot read API
            # Gateway's own errors cross-origin (the functions' responses echo the origin).
            headers["Access-Control-Allow-Origin"] = f"'{config.cors_allowed_origins[0]}'"
        for response_type, status, (code, title, detail) in GATEWAY_RESPONSES:
            challenge = {"WWW-Authenticate": f"'{BEARER_CHALLENGE}'"} if status == 401 else {}
            self.rest_api.add_gateway_response(
                f"GatewayResponse{response_type.response_type}",
                type=response_type,
                status_code=str(status),
                response_headers={**headers, **challenge},
                templates={"application/json": problem_template(status, code, title, detail)},
            )
