"""API Gateway (REST API, Lambda proxy integration) emulation over plain HTTP.

Routes come from the template: AWS::ApiGateway::Resource (PathPart / ParentId tree) and
AWS::ApiGateway::Method (HttpMethod, AuthorizationType, AuthorizerId, Integration, RequestParameters,
RequestValidatorId, RequestModels). Matching prefers a literal segment over `{param}` over `{proxy+}`,
as API Gateway does. Errors produced by the gateway itself (unknown route, authorizer, validation,
body too large, integration failure) are the template's AWS::ApiGateway::GatewayResponse bodies
(specific type, else DEFAULT_4XX / DEFAULT_5XX, else API Gateway's built-in `{"message": ...}`).

Paths under `/_local/` exist only in the local runtime (e.g. `/_local/mailbox`).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local.authorizer import AccessDenied, AuthorizerFailure, CognitoAuthorizer, LambdaAuthorizer, Unauthorized
from local.lambdas import InvocationError, function_of
from local.template import Template, TemplateError
from local.waf import WafRequest, WebAcl

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit

# Default status and message of the gateway responses API Gateway produces.
GATEWAY_DEFAULTS: dict[str, tuple[int, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired"),
    "BAD_REQUEST_PARAMETERS": (400, "Missing required request parameters"),
    "BAD_REQUEST_BODY": (400, "Invalid request body"),
    "REQUEST_TOO_LARGE": (413, "Request Too Large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type"),
    "THROTTLED": (429, "Too Many Requests"),
    "WAF_FILTERED": (403, "Forbidden"),
    "INTEGRATION_FAILURE": (502, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error"),
    "AUTHORIZER_FAILURE": (500, "Internal server error"),
    "DEFAULT_4XX": (400, "Bad Request"),
    "DEFAULT_5XX": (500, "Internal server error"),
}


@dataclass
class MethodSpec:
    http_method: str
    resource_path: str
    resource_id: str
    integration_type: str
    function: str | None = None  # logical id of the Lambda function (AWS_PROXY)
    authorization_type: str = "NONE"
    authorizer: str | None = None  # logical id of the AWS::ApiGateway::Authorizer
    scopes: list[str] = field(default_factory=list)
    required_params: list[tuple[str, str]] = field(default_factory=list)  # (location, name)
    validate_params: bool = False
    validate_body: bool = False
    body_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    mock_response: dict[str, Any] | None = None


@dataclass
class Node:
    children: dict[str, Node] = field(default_factory=dict)
    param: tuple[str, Node] | None = None
    proxy: tuple[str, Node] | None = None
    path: str = "/"
    methods: dict[str, MethodSpec] = field(default_factory=dict)


class RouteTable:
    def __init__(self) -> None:
        self.root = Node()

    def node(self, path: str) -> Node:
        current = self.root
        built = ""
        for seg in [s for s in path.split("/") if s]:
            built += "/" + seg
            if seg.startswith("{") and seg.endswith("+}"):
                if current.proxy is None:
                    current.proxy = (seg[1:-2], Node(path=built))
                current = current.proxy[1]
            elif seg.startswith("{") and seg.endswith("}"):
                if current.param is None:
                    current.param = (seg[1:-1], Node(path=built))
                elif current.param[0] != seg[1:-1]:
                    raise TemplateError(f"conflicting path parameters under {built}")
                current = current.param[1]
            else:
                current = current.children.setdefault(seg, Node(path=built))
        return current

    def add(self, method: MethodSpec) -> None:
        node = self.node(method.resource_path)
        if method.http_method in node.methods:
            raise TemplateError(f"duplicate route {method.http_method} {method.resource_path}")
        node.methods[method.http_method] = method

    def match(self, path: str) -> tuple[Node, dict[str, str]] | None:
        segments = [unquote(s) for s in path.split("/") if s]
        return self._match(self.root, segments, {})

    def _match(self, node: Node, segs: list[str], params: dict[str, str]) -> tuple[Node, dict[str, str]] | None:
        if not segs:
            return (node, params) if node.methods else None
        head, rest = segs[0], segs[1:]
        if head in node.children:
            found = self._match(node.children[head], rest, params)
            if found:
                return found
        if node.param is not None:
            found = self._match(node.param[1], rest, {**params, node.param[0]: head})
            if found:
                return found
        if node.proxy is not None and node.proxy[1].methods:
            return node.proxy[1], {**params, node.proxy[0]: "/".join(segs)}
        return None

    def routes(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []

        def walk(n: Node) -> None:
            out.extend((m, n.path) for m in sorted(n.methods))
            for child in n.children.values():
                walk(child)
            for extra in (n.param, n.proxy):
                if extra:
                    walk(extra[1])

        walk(self.root)
        return sorted(out, key=lambda r: (r[1], r[0]))


class ResourcePaths:
    """Full path of each AWS::ApiGateway::Resource, from its PathPart / ParentId chain."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.resources = template.of_type("AWS::ApiGateway::Resource")
        self.paths: dict[str, str] = {}

    @staticmethod
    def key(expr: Any) -> str:
        """Logical id of a ParentId/ResourceId; `<api>-root` for the API's root resource."""
        if isinstance(expr, dict) and "Ref" in expr:
            return expr["Ref"]
        if isinstance(expr, dict) and "Fn::GetAtt" in expr:
            att = expr["Fn::GetAtt"]
            api, attr = att if isinstance(att, list) else att.split(".")
            if attr == "RootResourceId":
                return f"{api}-root"
        raise TemplateError(f"unsupported ParentId/ResourceId {expr!r}")

    def path(self, key: str) -> str:
        if key.endswith("-root") and key not in self.resources:
            return "/"
        if key not in self.paths:
            props = self.resources[key]["Properties"]
            parent = self.path(self.key(props["ParentId"]))
            self.paths[key] = parent.rstrip("/") + "/" + self.template.resolve(props["PathPart"])
        return self.paths[key]


def rest_apis(template: Template) -> list[str]:
    """Logical ids of the template's RestApis; each is served on its own port (local.runtime)."""
    return list(template.of_type("AWS::ApiGateway::RestApi"))


def belongs_to(props: dict[str, Any], rest_api: str | None) -> bool:
    """Whether a resource's RestApiId names `rest_api` (None: every RestApi, as with a single one)."""
    if rest_api is None:
        return True
    ref = props.get("RestApiId")
    return isinstance(ref, dict) and ref.get("Ref") == rest_api


def build_routes(template: Template, rest_api: str | None = None) -> RouteTable:
    paths = ResourcePaths(template)
    validators = template.of_type("AWS::ApiGateway::RequestValidator")
    table = RouteTable()
    for res in template.of_type("AWS::ApiGateway::Method").values():
        props = res["Properties"]
        if not belongs_to(props, rest_api):
            continue
        resource_key = paths.key(props["ResourceId"])
        integration = props.get("Integration", {})
        method = MethodSpec(
            http_method=props["HttpMethod"].upper(),
            resource_path=paths.path(resource_key),
            resource_id=resource_key,
            integration_type=integration.get("Type", "MOCK"),
            authorization_type=props.get("AuthorizationType", "NONE"),
            authorizer=(props.get("AuthorizerId") or {}).get("Ref"),
            scopes=template.resolve(props.get("AuthorizationScopes", [])),
        )
        if method.integration_type == "AWS_PROXY":
            method.function = function_of(template, integration.get("Uri"))
        elif method.integration_type == "MOCK":
            responses = integration.get("IntegrationResponses") or [{}]
            method.mock_response = template.resolve(responses[0])
        for key, required in (props.get("RequestParameters") or {}).items():
            m = re.fullmatch(r"method\.request\.(querystring|header|path|multivaluequerystring)\.(.+)", key)
            if m and template.resolve(required) in (True, "true"):
                method.required_params.append((m.group(1), m.group(2)))
        validator_ref = (props.get("RequestValidatorId") or {}).get("Ref")
        if validator_ref in validators:
            vprops = template.resolve(validators[validator_ref].get("Properties", {}))
            method.validate_params = vprops.get("ValidateRequestParameters") in (True, "true")
            method.validate_body = vprops.get("ValidateRequestBody") in (True, "true")
        for ctype, model in (props.get("RequestModels") or {}).items():
            model_id = model.get("Ref") if isinstance(model, dict) else None
            if model_id in template.resources:
                schema = template.resolve(template.props(model_id).get("Schema"))
                if isinstance(schema, str):
                    schema = json.loads(schema)
                method.body_schemas[ctype] = schema
        table.add(method)
    return table


@dataclass
class GatewayResponses:
    responses: dict[str, dict[str, Any]]  # ResponseType -> resolved properties

    @classmethod
    def from_template(cls, template: Template, rest_api: str | None = None) -> GatewayResponses:
        out = {}
        for res in template.of_type("AWS::ApiGateway::GatewayResponse").values():
            if not belongs_to(res.get("Properties", {}), rest_api):
                continue
            props = template.resolve(res.get("Properties", {}))
            out[props["ResponseType"]] = props
        return cls(out)

    def render(
        self,
        rtype: str,
        ctx: dict[str, str],
        request_headers: dict[str, str],
        status: int | None = None,
        message: str | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        default_status, default_message = GATEWAY_DEFAULTS.get(rtype, (500, "Internal server error"))
        message = message or default_message
        family = "DEFAULT_4XX" if (status or default_status) < 500 else "DEFAULT_5XX"
        specific = self.responses.get(rtype)
        spec = specific or self.responses.get(family)
        # A specific response's StatusCode wins; DEFAULT_4XX/5XX keep the underlying status.
        status = int(specific["StatusCode"]) if specific and specific.get("StatusCode") else (status or default_status)
        headers = {"Content-Type": "application/json"}
        body = json.dumps({"message": message})
        if spec:
            templates = spec.get("ResponseTemplates") or {}
            if templates:
                ctype, tpl = next(iter(templates.items()))
                headers["Content-Type"] = ctype
                body = render_vtl_context(
                    tpl,
                    {
                        **ctx,
                        "error.message": message,
                        "error.messageString": json.dumps(message),
                        "error.responseType": rtype,
                    },
                )
            for key, value in (spec.get("ResponseParameters") or {}).items():
                if key.startswith("gatewayresponse.header."):
                    headers[key[len("gatewayresponse.header.") :]] = _param_value(value, request_headers)
        headers["x-amzn-ErrorType"] = rtype.title().replace("_", "") + "Exception"
        return status, headers, body.encode()


def _param_value(value: Any, request_headers: dict[str, str]) -> str:
    value = str(value)
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    m = re.fullmatch(r"method\.request\.header\.(.+)", value)
    if m:
        return _header(request_headers, m.group(1)) or ""
    return value


def render_vtl_context(template: str, ctx: dict[str, str]) -> str:
    """Replace `$context.x.y` / `${context.x.y}` (the only VTL gateway responses need here)."""

    def sub(m: re.Match[str]) -> str:
        return ctx.get(m.group(1) or m.group(2), "")

    return re.sub(
        r"\$\{context\.([A-Za-z0-9_.]+)\}|\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z][A-Za-z0-9_]*)*)", sub, template
    )


def _header(headers: dict[str, str], name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lname), None)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    multi_headers: dict[str, list[str]] = field(default_factory=dict)


class ApiGateway:
    """Turns HTTP requests into proxy events for the functions, as API Gateway REST does."""

    def __init__(
        self,
        template: Template,
        invoke: Callable[[str, Any, str], Any],
        authorizers: dict[str, CognitoAuthorizer],
        local_routes: dict[str, Callable[[dict[str, str]], Response]] | None = None,
        waf: WebAcl | None = None,
        rest_api: str | None = None,
    ) -> None:
        """`rest_api`: serve only that RestApi's methods, authorizers, gateway responses and stage (None: all)."""
        self.template = template
        self.invoke = invoke
        self.authorizers = authorizers
        self.local_routes = local_routes or {}
        self.waf = waf
        self.routes = build_routes(template, rest_api)
        self.gateway = GatewayResponses.from_template(template, rest_api)
        own_authorizers = {
            lid: r
            for lid, r in template.of_type("AWS::ApiGateway::Authorizer").items()
            if belongs_to(r.get("Properties", {}), rest_api)
        }
        self.authorizer_props = {lid: template.resolve(r.get("Properties", {})) for lid, r in own_authorizers.items()}
        # TOKEN / REQUEST Lambda authorizers: the function comes from AuthorizerUri.
        self.lambda_authorizers: dict[str, LambdaAuthorizer] = {}
        for lid, res in own_authorizers.items():
            if str(self.authorizer_props[lid].get("Type", "")).upper() in ("TOKEN", "REQUEST"):
                function = function_of(template, (res.get("Properties") or {}).get("AuthorizerUri"))
                self.lambda_authorizers[lid] = LambdaAuthorizer.from_properties(
                    self.authorizer_props[lid], function, invoke
                )
        apis = {lid: r for lid, r in template.of_type("AWS::ApiGateway::RestApi").items() if rest_api in (None, lid)}
        self.api_id = next(iter(apis), "local")[:10].lower()
        self.binary_types = [
            t for r in apis.values() for t in template.resolve(r.get("Properties", {}).get("BinaryMediaTypes", []))
        ]
        stages = [
            template.resolve(r["Properties"].get("StageName"))
            for r in template.of_type("AWS::ApiGateway::Stage").values()
            if belongs_to(r["Properties"], rest_api)
        ]
        self.stage = next((s for s in stages if s), "local")

    # ---------------------------------------------------------------- request handling
    def handle(
        self,
        method: str,
        raw_path: str,
        headers: list[tuple[str, str]],
        body: bytes | None,
        source_ip: str,
        too_large: bool = False,
    ) -> Response:
        request_id = str(uuid.uuid4())
        split = urlsplit(raw_path)
        path = unquote(split.path) or "/"
        single = {k: v for k, v in headers}
        ctx = {
            "requestId": request_id,
            "path": f"/{self.stage}{path}",
            "stage": self.stage,
            "httpMethod": method,
            "apiId": self.api_id,
            "accountId": self.template.account_id,
            "domainName": _header(single, "Host") or "",
            "resourcePath": "",
        }

        def gateway_error(rtype: str, status: int | None = None, message: str | None = None) -> Response:
            st, hdrs, payload = self.gateway.render(rtype, ctx, single, status, message)
            hdrs["x-amzn-RequestId"] = request_id
            return Response(st, hdrs, payload)

        if path.startswith("/_local/") and path in self.local_routes and method == "GET":
            return self.local_routes[path](dict(parse_qsl(split.query)))
        if too_large:
            return gateway_error("REQUEST_TOO_LARGE")
        if self.waf is not None:
            waf_request = WafRequest(
                method=method,
                path=f"/{self.stage}{split.path or '/'}",
                query=split.query,
                headers={k.lower(): v for k, v in headers},
                body=body or b"",
                source_ip=source_ip,
            )
            blocked_by = self.waf.blocking_rule(waf_request)
            if blocked_by is not None:
                sys.stderr.write(f"[waf] {method} {path}: blocked by {blocked_by}\n")
                return gateway_error("WAF_FILTERED")
        found = self.routes.match(path)
        spec = None
        if found:
            node, path_params = found
            spec = node.methods.get(method) or node.methods.get("ANY")
        if spec is None:
            return gateway_error("MISSING_AUTHENTICATION_TOKEN")
        ctx["resourcePath"] = spec.resource_path

        if spec.integration_type == "MOCK":
            return self._mock(spec, single, request_id)

        authorizer_ctx: dict[str, Any] | None = None
        if spec.authorization_type == "COGNITO_USER_POOLS":
            auth = self.authorizers.get(spec.authorizer or "")
            props = self.authorizer_props.get(spec.authorizer or "", {})
            source = props.get("IdentitySource", "method.request.header.Authorization")
            header_name = source.rsplit(".", 1)[-1]
            if auth is None:
                return gateway_error("AUTHORIZER_FAILURE")
            try:
                claims = auth.authorize(_header(single, header_name), spec.scopes)
            except Unauthorized:
                return gateway_error("UNAUTHORIZED")
            authorizer_ctx = {"claims": claims}
            if spec.scopes:
                authorizer_ctx["scopes"] = claims.get("scope", "").split()
        elif spec.authorization_type == "CUSTOM":
            lambda_auth = self.lambda_authorizers.get(spec.authorizer or "")
            if lambda_auth is None:
                return gateway_error("AUTHORIZER_CONFIGURATION_ERROR")
            method_arn = (
                f"arn:aws:execute-api:{self.template.region}:{self.template.account_id}:"
                f"{self.api_id}/{self.stage}/{method}{path}"
            )
            query_single = dict(parse_qsl(split.query, keep_blank_values=True))
            request_event = self._event(
                spec,
                method,
                path,
                headers,
                parse_qsl(split.query, keep_blank_values=True),
                path_params,
                None,
                source_ip,
                request_id,
                None,
            )
            request_event.pop("body", None)
            request_event.pop("isBase64Encoded", None)
            try:
                authorizer_ctx = lambda_auth.authorize(method_arn, single, query_single, request_event, request_id)
            except Unauthorized:
                return gateway_error("UNAUTHORIZED")
            except AccessDenied:
                return gateway_error("ACCESS_DENIED")
            except AuthorizerFailure as exc:
                sys.stderr.write(f"[apigw] {method} {path}: authorizer failure: {exc}\n")
                return gateway_error(exc.response_type)
        elif spec.authorization_type not in ("NONE", None):
            return gateway_error("API_CONFIGURATION_ERROR", message=f"{spec.authorization_type} not emulated locally")

        query = parse_qsl(split.query, keep_blank_values=True)
        error = self._validate(spec, single, dict(query), path_params, body)
        if error:
            return gateway_error(*error)
        if spec.integration_type != "AWS_PROXY" or spec.function is None:
            return gateway_error("API_CONFIGURATION_ERROR", message=f"{spec.integration_type} integration not emulated")

        event = self._event(
            spec, method, path, headers, query, path_params, body, source_ip, request_id, authorizer_ctx
        )
        started = time.time()
        try:
            result = self.invoke(spec.function, event, request_id)
        except InvocationError as exc:
            sys.stderr.write(
                f"[apigw] {method} {path}: {exc.payload.get('errorType')}: {exc.payload.get('errorMessage')}\n"
            )
            if exc.timed_out:
                return gateway_error("INTEGRATION_TIMEOUT")
            return gateway_error("INTEGRATION_FAILURE")
        finally:
            ctx["integrationLatency"] = str(int((time.time() - started) * 1000))
        response = self._proxy_response(result)
        if response is None:
            sys.stderr.write(f"[apigw] {method} {path}: malformed Lambda proxy response\n")
            return gateway_error("INTEGRATION_FAILURE")
        response.headers.setdefault("x-amzn-RequestId", request_id)
        return response

    def _validate(
        self,
        spec: MethodSpec,
        headers: dict[str, str],
        query: dict[str, str],
        path_params: dict[str, str],
        body: bytes | None,
    ) -> tuple[str, None, str] | None:
        if spec.validate_params:
            missing = [
                name
                for loc, name in spec.required_params
                if (loc in ("querystring", "multivaluequerystring") and name not in query)
                or (loc == "header" and _header(headers, name) is None)
                or (loc == "path" and name not in path_params)
            ]
            if missing:
                return ("BAD_REQUEST_PARAMETERS", None, f"Missing required request parameters: [{', '.join(missing)}]")
        if spec.validate_body and spec.body_schemas:
            ctype = (_header(headers, "Content-Type") or "application/json").split(";")[0].strip()
            schema = spec.body_schemas.get(ctype) or spec.body_schemas.get("$default")
            if schema is not None:
                try:
                    import jsonschema
                except ImportError:  # body validation needs jsonschema (a moto[server] dependency)
                    return None
                try:
                    jsonschema.validate(json.loads(body or b"null"), schema)
                except (ValueError, jsonschema.ValidationError):
                    return ("BAD_REQUEST_BODY", None, "Invalid request body")
        return None

    def _mock(self, spec: MethodSpec, headers: dict[str, str], request_id: str) -> Response:
        mock = spec.mock_response or {}
        out: dict[str, str] = {"x-amzn-RequestId": request_id}
        for key, value in (mock.get("ResponseParameters") or {}).items():
            if key.startswith("method.response.header."):
                out[key[len("method.response.header.") :]] = _param_value(value, headers)
        # CDK's CORS preflight with several origins echoes the Origin when it is one of them.
        origin = _header(headers, "Origin")
        for tpl in (mock.get("ResponseTemplates") or {}).values():
            allowed = re.findall(r'\$origin(?:\s*==\s*|\.matches\(\s*)"([^"]+)"', str(tpl))
            if origin and any(origin == a or re.fullmatch(a, origin) or fnmatch.fnmatch(origin, a) for a in allowed):
                out["Access-Control-Allow-Origin"] = origin
        status = int(mock.get("StatusCode", 200))
        return Response(status, out, b"")

    def _event(
        self,
        spec: MethodSpec,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        query: list[tuple[str, str]],
        path_params: dict[str, str],
        body: bytes | None,
        source_ip: str,
        request_id: str,
        authorizer_ctx: dict[str, Any] | None,
    ) -> dict[str, Any]:
        # As API Gateway: the connection's address is appended to any X-Forwarded-For the client sent
        # (only the last entry can be trusted), and X-Forwarded-Proto/Port are the gateway's own.
        multi_headers: dict[str, list[str]] = {}
        forwarded_for: list[str] = []
        for k, v in headers:
            lower = k.lower()
            if lower == "x-forwarded-for":
                forwarded_for.append(v)
            elif lower not in ("x-forwarded-proto", "x-forwarded-port"):
                multi_headers.setdefault(k, []).append(v)
        multi_headers["X-Forwarded-For"] = [", ".join([*forwarded_for, source_ip])]
        multi_headers["X-Forwarded-Proto"] = ["http"]
        multi_query: dict[str, list[str]] = {}
        for k, v in query:
            multi_query.setdefault(k, []).append(v)
        ctype = (_header({k: v[-1] for k, v in multi_headers.items()}, "Content-Type") or "").split(";")[0].strip()
        is_binary = bool(body) and any(fnmatch.fnmatch(ctype, t) for t in self.binary_types)
        if body is None or body == b"":
            body_value = None
        elif is_binary:
            body_value = base64.b64encode(body).decode()
        else:
            body_value = body.decode("utf-8", errors="replace")
        now = datetime.now(UTC)
        request_context: dict[str, Any] = {
            "accountId": self.template.account_id,
            "apiId": self.api_id,
            "domainName": _header({k: v[-1] for k, v in multi_headers.items()}, "Host") or "localhost",
            "domainPrefix": "localhost",
            "extendedRequestId": request_id,
            "httpMethod": method,
            "identity": {
                "sourceIp": source_ip,
                "userAgent": _header({k: v[-1] for k, v in multi_headers.items()}, "User-Agent"),
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "user": None,
                "userArn": None,
            },
            "path": f"/{self.stage}{path}",
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": spec.resource_id,
            "resourcePath": spec.resource_path,
            "stage": self.stage,
        }
        if authorizer_ctx is not None:
            request_context["authorizer"] = authorizer_ctx
        return {
            "resource": spec.resource_path,
            "path": path,
            "httpMethod": method,
            "headers": {k: v[-1] for k, v in multi_headers.items()},
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_params or None,
            "stageVariables": None,
            "requestContext": request_context,
            "body": body_value,
            "isBase64Encoded": is_binary,
        }

    @staticmethod
    def _proxy_response(result: Any) -> Response | None:
        if not isinstance(result, dict):
            return None
        try:
            status = int(result.get("statusCode", 200))
        except (TypeError, ValueError):
            return None
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        multi = {str(k): [str(x) for x in v] for k, v in (result.get("multiValueHeaders") or {}).items()}
        body = result.get("body")
        if body is None:
            payload = b""
        elif result.get("isBase64Encoded"):
            try:
                payload = base64.b64decode(body)
            except (ValueError, TypeError):
                return None
        else:
            payload = str(body).encode()
        if not any(k.lower() == "content-type" for k in [*headers, *multi]):
            headers["Content-Type"] = "application/json"
        return Response(status, headers, payload, multi)


# --------------------------------------------------------------------------- HTTP server
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _handle(self) -> None:
        too_large = False
        body: bytes | None = None
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body, too_large = self._read_chunked()
        elif length:
            size = int(length)
            if size > MAX_BODY:
                too_large = True
                self._discard(size)
            else:
                body = self.rfile.read(size)
        headers = [(k, v) for k, v in self.headers.items()]
        try:
            response = self.server.gateway.handle(
                self.command, self.path, headers, body, self.client_address[0], too_large
            )
        except Exception as exc:
            sys.stderr.write(f"[apigw] internal error: {exc!r}\n")
            response = Response(500, {"Content-Type": "application/json"}, b'{"message": "Internal server error"}')
        self.send_response(response.status)
        sent = set()
        for k, v in response.headers.items():
            if k.lower() in ("content-length", "transfer-encoding", "connection"):
                continue
            if k in response.multi_headers:
                continue
            self.send_header(k, v)
            sent.add(k.lower())
        for k, values in response.multi_headers.items():
            for v in values:
                self.send_header(k, v)
        payload = b"" if self.command == "HEAD" else response.body
        self.send_header("Content-Length", str(len(response.body)))
        if too_large:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def _discard(self, size: int) -> None:
        remaining = size
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _read_chunked(self) -> tuple[bytes | None, bool]:
        data = bytearray()
        while True:
            line = self.rfile.readline(65537).strip()
            size = int(line.split(b";")[0] or b"0", 16)
            if size == 0:
                self.rfile.readline()
                break
            chunk = self.rfile.read(size)
            self.rfile.readline()
            if len(data) + len(chunk) > MAX_BODY:
                return None, True
            data += chunk
        return bytes(data), False

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.access_log:
            sys.stderr.write(f"[apigw] {self.address_string()} {format % args}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog (5) refuses bursts of parallel clients on a loaded machine.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], gateway: ApiGateway, access_log: bool) -> None:
        self.gateway = gateway
        self.access_log = access_log
        super().__init__(address, _Handler)


def serve(gateway: ApiGateway, host: str, port: int, access_log: bool = True) -> _Server:
    server = _Server((host, port), gateway, access_log)
    threading.Thread(target=server.serve_forever, name="apigw", daemon=True).start()
    return server
