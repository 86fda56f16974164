"""Context handling and API wiring that the main synth cannot show (no `person` route exists yet)."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from infra.api_routes import Route
from infra.components.api import Api, path_parameters
from infra.config import CDK_JSON, StageConfig, cdk_json_context

BASE = {
    "senderEmail": "no-responder@example.com",
    "portalBaseUrl": "https://portal.example.com/",
    "corsAllowedOrigins": ["https://portal.example.com"],
    "notificationTargetName": "sat-ccf-test-notifications",
}


def test_cdk_json_holds_the_required_context() -> None:
    context = cdk_json_context()
    for key in ("stage", "senderEmail", "portalBaseUrl", "corsAllowedOrigins", "notificationTargetName"):
        assert key in context
    settings = json.loads(CDK_JSON.read_text())
    assert settings["assetMetadata"] is True  # the CLI's switch; infra/app.py sets the same context itself
    assert not [key for key in context if key.startswith("aws:")]  # reserved: the CLI warns about them


def test_stage_config_from_context_and_cli_string_origins() -> None:
    app = App(context={**BASE, "stage": "qa", "corsAllowedOrigins": "https://a.example, https://b.example"})
    config = StageConfig.from_node(app.node)
    assert config.stage == "qa"
    assert config.cors_allowed_origins == ("https://a.example", "https://b.example")
    assert config.portal_base_url == "https://portal.example.com"
    assert config.email_template_prefix == "sat-ccf-qa-"
    assert config.secrets_prefix == "sat-ccf/qa/shared-services/"


def test_stage_defaults_to_dev_and_bad_values_are_rejected() -> None:
    assert StageConfig.from_node(App(context=BASE).node).stage == "dev"
    with pytest.raises(ValueError, match="stage"):
        StageConfig.from_node(App(context={**BASE, "stage": "Prod!"}).node)
    with pytest.raises(ValueError, match="notificationTargetName"):
        StageConfig.from_node(App(context={**BASE, "notificationTargetName": "bad name"}).node)


def test_waf_rate_limit_per_stage_from_cdk_json_or_the_cli() -> None:
    """cdk.json: the dev stage (whole test suites from one address) is looser than every other stage."""
    per_stage = cdk_json_context()["wafRateLimitPer5Min"]
    for stage in ("dev", "prod"):
        config = StageConfig.from_node(App(context={**BASE, "stage": stage, "wafRateLimitPer5Min": per_stage}).node)
        assert config.waf_rate_limit_per_5min == (20000 if stage == "dev" else 1000)
    cli = App(context={**BASE, "stage": "prod", "wafRateLimitPer5Min": "500"})
    assert StageConfig.from_node(cli.node).waf_rate_limit_per_5min == 500
    cli_json = App(context={**BASE, "stage": "qa", "wafRateLimitPer5Min": '{"qa": 300, "default": 100}'})
    assert StageConfig.from_node(cli_json.node).waf_rate_limit_per_5min == 300
    with pytest.raises(ValueError, match="no value for stage"):
        StageConfig.from_node(App(context={**BASE, "stage": "qa", "wafRateLimitPer5Min": {"dev": 1}}).node)


def test_path_parameters() -> None:
    assert path_parameters("/ccfs/{nit}/services/{serviceId}") == ["nit", "serviceId"]
    assert path_parameters("/health") == []


def test_person_routes_get_the_people_pool_authorizer() -> None:
    app = App()
    stack = Stack(app, "ApiOnly")
    config = StageConfig.from_node(App(context=BASE).node)
    pool = cognito.UserPool(stack, "Pool")
    function = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="x.handler.lambda_handler",
        code=lambda_.Code.from_inline("def lambda_handler(e, c): pass"),
    )
    routes = (Route("GET", "/me", "x", "person"), Route("GET", "/health", "x", "public"))
    Api(stack, "Api", config=config, routes=routes, functions={"x": function}, people_pool=pool)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ApiGateway::Authorizer", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        {
            "Type": "COGNITO_USER_POOLS",
            "IdentitySource": "method.request.header.Authorization",
            "ProviderARNs": [{"Fn::GetAtt": [Match.string_like_regexp("^Pool"), "Arn"]}],
        },
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "GET", "AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": {"Ref": Match.any_value()}},
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "GET", "AuthorizationType": "NONE", "Integration": {"Type": "AWS_PROXY"}},
    )
    # one origin: API Gateway's own errors carry it so the browser can read them
    template.has_resource_properties(
        "AWS::ApiGateway::GatewayResponse",
        {
            "ResponseType": "UNAUTHORIZED",
            "ResponseParameters": Match.object_like(
                {"gatewayresponse.header.Access-Control-Allow-Origin": "'https://portal.example.com'"}
            ),
        },
    )
