"""The local API Gateway: route tree, matching, proxy events and gateway responses (hand-made templates)."""

import json

import pytest

from local.apigw import ApiGateway, build_routes
from local.lambdas import InvocationError
from local.template import Template


def _uri(fn: str) -> dict:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":apigateway:",
                {"Ref": "AWS::Region"},
                ":lambda:path/2015-03-31/functions/",
                {"Fn::GetAtt": [fn, "Arn"]},
                "/invocations",
            ],
        ]
    }


def _resource(parent, part):
    parent_id = {"Fn::GetAtt": ["Api", "RootResourceId"]} if parent is None else {"Ref": parent}
    return {
        "Type": "AWS::ApiGateway::Resource",
        "Properties": {"ParentId": parent_id, "PathPart": part, "RestApiId": {"Ref": "Api"}},
    }


def _method(resource, verb, fn="Fn", **extra):
    rid = {"Fn::GetAtt": ["Api", "RootResourceId"]} if resource is None else {"Ref": resource}
    props = {
        "HttpMethod": verb,
        "ResourceId": rid,
        "RestApiId": {"Ref": "Api"},
        "AuthorizationType": "NONE",
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": _uri(fn)},
        **extra,
    }
    return {"Type": "AWS::ApiGateway::Method", "Properties": props}


TEMPLATE = {
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "api"}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "dev"}},
        "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "h.handler"}},
        "Other": {"Type": "AWS::Lambda::Function", "Properties": {"Handler": "o.handler"}},
        "Items": _resource(None, "items"),
        "ItemsMine": _resource("Items", "mine"),
        "Item": _resource("Items", "{id}"),
        "ItemFiles": _resource("Item", "files"),
        "Files": _resource(None, "files"),
        "FilesProxy": _resource("Files", "{proxy+}"),
        "RootGet": _method(None, "GET"),
        "ItemsGet": _method(
            "Items",
            "GET",
            RequestParameters={"method.request.querystring.page": True},
            RequestValidatorId={"Ref": "Validator"},
        ),
        "ItemsMineGet": _method("ItemsMine", "GET", fn="Other"),
        "ItemGet": _method("Item", "GET"),
        "ItemFilesPost": _method(
            "ItemFiles",
            "POST",
            RequestModels={"application/json": {"Ref": "Model"}},
            RequestValidatorId={"Ref": "Validator"},
        ),
        "FilesAny": _method("FilesProxy", "ANY"),
        "ItemsOptions": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "HttpMethod": "OPTIONS",
                "ResourceId": {"Ref": "Items"},
                "AuthorizationType": "NONE",
                "Integration": {
                    "Type": "MOCK",
                    "IntegrationResponses": [
                        {
                            "StatusCode": "204",
                            "ResponseParameters": {
                                "method.response.header.Access-Control-Allow-Origin": "'http://a.test'",
                                "method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
                            },
                            "ResponseTemplates": {
                                "application/json": '#if($origin == "http://b.test")\n'
                                "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)"
                            },
                        }
                    ],
                },
            },
        },
        "Validator": {
            "Type": "AWS::ApiGateway::RequestValidator",
            "Properties": {"ValidateRequestParameters": True, "ValidateRequestBody": True},
        },
        "Model": {
            "Type": "AWS::ApiGateway::Model",
            "Properties": {
                "Schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
            },
        },
        "NotFound": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "ResponseType": "MISSING_AUTHENTICATION_TOKEN",
                "StatusCode": "404",
                "ResponseParameters": {"gatewayresponse.header.Content-Type": "'application/problem+json'"},
                "ResponseTemplates": {
                    "application/json": '{"status": 404, "requestId": "$context.requestId", '
                    '"message": $context.error.messageString}'
                },
            },
        },
        "Default5xx": {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "ResponseType": "DEFAULT_5XX",
                "ResponseTemplates": {"application/json": '{"title": "Error interno"}'},
            },
        },
    }
}


@pytest.fixture
def template() -> Template:
    return Template(doc=json.loads(json.dumps(TEMPLATE)), stack_name="S")


def test_route_tree_and_priority(template):
    routes = build_routes(template)
    assert ("GET", "/items/{id}/files") not in routes.routes()
    assert ("POST", "/items/{id}/files") in routes.routes()
    node, params = routes.match("/items/mine")
    assert node.methods["GET"].function == "Other" and params == {}  # literal beats {id}
    node, params = routes.match("/items/42")
    assert node.methods["GET"].function == "Fn" and params == {"id": "42"}
    node, params = routes.match("/items/a%20b/files")
    assert node.path == "/items/{id}/files" and params == {"id": "a b"}
    node, params = routes.match("/files/a/b/c.txt")
    assert "ANY" in node.methods and params == {"proxy": "a/b/c.txt"}
    assert routes.match("/")[0].methods["GET"].resource_path == "/"
    assert routes.match("/nope") is None
    assert routes.match("/items/42/other") is None


class Recorder:
    def __init__(self, result=None, error=None):
        self.events = []
        self.result = result if result is not None else {"statusCode": 200, "body": "{}"}
        self.error = error

    def __call__(self, function, event, request_id):
        self.events.append((function, event))
        if self.error:
            raise self.error
        return self.result


def _gateway(template, recorder):
    return ApiGateway(template, recorder, authorizers={})


def test_proxy_event_shape(template):
    rec = Recorder(
        {
            "statusCode": 201,
            "headers": {"X-A": "1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"ok": true}',
        }
    )
    gw = _gateway(template, rec)
    resp = gw.handle(
        "GET",
        "/items/7?x=1&x=2&y=",
        [("Host", "localhost"), ("User-Agent", "ua"), ("X-M", "1"), ("X-M", "2")],
        None,
        "10.0.0.1",
    )
    assert resp.status == 201 and resp.headers["X-A"] == "1" and resp.multi_headers["Set-Cookie"] == ["a=1", "b=2"]
    function, event = rec.events[0]
    assert function == "Fn"
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/7" and event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"id": "7"}
    assert event["queryStringParameters"] == {"x": "2", "y": ""}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"], "y": [""]}
    assert event["headers"]["X-M"] == "2" and event["multiValueHeaders"]["X-M"] == ["1", "2"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["stage"] == "dev" and ctx["resourcePath"] == "/items/{id}" and ctx["path"] == "/dev/items/7"
    assert ctx["identity"]["sourceIp"] == "10.0.0.1" and ctx["identity"]["userAgent"] == "ua"
    assert ctx["requestId"] and "authorizer" not in ctx


def test_forwarded_headers_are_the_gateways_own(template):
    """A client cannot pose as another address: its X-Forwarded-For gets the connection's address appended
    (as API Gateway does) and X-Forwarded-Proto is the gateway's."""
    rec = Recorder({"statusCode": 200, "body": "{}"})
    gw = _gateway(template, rec)
    headers = [("User-Agent", "ua"), ("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")]
    gw.handle("GET", "/items/7", headers, None, "10.0.0.1")
    _, event = rec.events[0]
    assert event["headers"]["X-Forwarded-For"] == "203.0.113.9, 10.0.0.1"
    assert event["multiValueHeaders"]["X-Forwarded-Proto"] == ["http"]
    assert event["requestContext"]["identity"]["sourceIp"] == "10.0.0.1"
    gw.handle("GET", "/items/7", [("User-Agent", "ua")], None, "10.0.0.2")
    assert rec.events[1][1]["headers"]["X-Forwarded-For"] == "10.0.0.2"


def test_unknown_route_and_method_use_gateway_response(template):
    gw = _gateway(template, Recorder())
    for method, path in (("GET", "/nope"), ("DELETE", "/items/7")):
        resp = gw.handle(method, path, [], None, "127.0.0.1")
        assert resp.status == 404
        assert resp.headers["Content-Type"] == "application/problem+json"
        body = json.loads(resp.body)
        assert body["status"] == 404 and body["message"] == "Missing Authentication Token"
        assert body["requestId"] == resp.headers["x-amzn-RequestId"]


def test_function_error_and_malformed_response_are_502(template):
    gw = _gateway(template, Recorder(error=InvocationError({"errorType": "ValueError", "errorMessage": "boom"})))
    resp = gw.handle("GET", "/items/1", [], None, "127.0.0.1")
    assert resp.status == 502 and json.loads(resp.body) == {"title": "Error interno"}
    resp = _gateway(template, Recorder(result=["not", "a", "dict"])).handle("GET", "/items/1", [], None, "127.0.0.1")
    assert resp.status == 502
    timeout = InvocationError({"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out"})
    resp = _gateway(template, Recorder(error=timeout)).handle("GET", "/items/1", [], None, "127.0.0.1")
    assert resp.status == 504


def test_request_validation(template):
    rec = Recorder()
    gw = _gateway(template, rec)
    resp = gw.handle("GET", "/items", [], None, "127.0.0.1")
    assert resp.status == 400 and b"page" in resp.body
    assert gw.handle("GET", "/items?page=1", [], None, "127.0.0.1").status == 200
    headers = [("Content-Type", "application/json")]
    assert gw.handle("POST", "/items/1/files", headers, b'{"nope": 1}', "127.0.0.1").status == 400
    assert gw.handle("POST", "/items/1/files", headers, b"not json", "127.0.0.1").status == 400
    assert gw.handle("POST", "/items/1/files", headers, b'{"name": "x"}', "127.0.0.1").status == 200
    assert rec.events[-1][1]["body"] == '{"name": "x"}'


def test_cors_preflight_from_mock_integration(template):
    gw = _gateway(template, Recorder())
    resp = gw.handle("OPTIONS", "/items", [("Origin", "http://b.test")], None, "127.0.0.1")
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "http://b.test"
    assert resp.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"
    resp = gw.handle("OPTIONS", "/items", [("Origin", "http://evil.test")], None, "127.0.0.1")
    assert resp.headers["Access-Control-Allow-Origin"] == "http://a.test"


def test_body_too_large_and_builtin_defaults(template):
    gw = _gateway(template, Recorder())
    resp = gw.handle("POST", "/items/1/files", [], None, "127.0.0.1", too_large=True)
    assert resp.status == 413 and json.loads(resp.body) == {"message": "Request Too Large"}


def test_base64_response_is_decoded(template):
    rec = Recorder(
        {
            "statusCode": 200,
            "isBase64Encoded": True,
            "body": "aGVsbG8=",
            "headers": {"Content-Type": "application/octet-stream"},
        }
    )
    resp = _gateway(template, rec).handle("GET", "/items/1", [], None, "127.0.0.1")
    assert resp.body == b"hello" and resp.headers["Content-Type"] == "application/octet-stream"
