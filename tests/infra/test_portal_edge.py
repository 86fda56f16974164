"""The portal's edge in the template (decisions 0087, 0088): its own web ACL with bot protection on the public forms,
the API's rate rules that count the portal's calls per person, WAF logs without the portal's key, the portal's
gateway errors as Spanish pages, and its alarms and dashboard."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk.assertions import Template
from infra_synth import Synth

from infra.components.waf import PortalWaf
from infra.config import StageConfig

REPO = Path(__file__).resolve().parents[2]
BASE = {
    "senderEmail": "no-responder@example.com",
    "portalBaseUrl": "https://portal.example.com/",
    "corsAllowedOrigins": ["https://portal.example.com"],
    "notificationTargetName": "sat-ccf-test-notifications",
}


def _acl(synth: Synth, suffix: str) -> tuple[str, dict[str, Any]]:
    ((acl_id, acl),) = [
        (k, a["Properties"])
        for k, a in synth.of_type("AWS::WAFv2::WebACL").items()
        if a["Properties"]["Name"].endswith(suffix)
    ]
    return acl_id, acl


def _rule(acl: dict[str, Any], name: str) -> dict[str, Any]:
    (rule,) = [r for r in acl["Rules"] if r["Name"] == name]
    return rule


def _portal_api(synth: Synth) -> str:
    (api,) = [
        k for k, r in synth.of_type("AWS::ApiGateway::RestApi").items() if r["Properties"]["Name"].endswith("-portal")
    ]
    return api


# --------------------------------------------------------------------------- bot protection (decision 0088)
def _bot_rule_matches(rule: dict[str, Any], method: str, path: str) -> bool:
    path_stmt, method_stmt = rule["Statement"]["AndStatement"]["Statements"]
    assert path_stmt["RegexMatchStatement"]["FieldToMatch"] == {"UriPath": {}}
    assert method_stmt["RegexMatchStatement"]["FieldToMatch"] == {"Method": {}}
    return bool(
        re.search(path_stmt["RegexMatchStatement"]["RegexString"], path)
        and re.search(method_stmt["RegexMatchStatement"]["RegexString"], method)
    )


def test_the_portal_has_its_own_web_acl_with_bot_protection_on_its_public_forms(synth: Synth) -> None:
    portal_acl_id, acl = _acl(synth, "-portal")
    api_acl_id, _ = _acl(synth, "-api")
    associations = [a["Properties"] for a in synth.of_type("AWS::WAFv2::WebACLAssociation").values()]
    (portal_association,) = [a for a in associations if a["WebACLArn"] == {"Fn::GetAtt": [portal_acl_id, "Arn"]}]
    assert _portal_api(synth) in json.dumps(portal_association["ResourceArn"])
    (api_association,) = [a for a in associations if a["WebACLArn"] == {"Fn::GetAtt": [api_acl_id, "Arn"]}]
    assert _portal_api(synth) not in json.dumps(api_association["ResourceArn"])

    rule = _rule(acl, "BotProtectionForms")
    assert rule["Action"] == {"Captcha": {}}  # cdk.json portalBotProtection: captcha by default
    assert rule["CaptchaConfig"] == {"ImmunityTimeProperty": {"ImmunityTime": 1800}}
    # the form posts of registration, password reset and sign-in, on the stage URL or a custom domain; the GET of
    # the same pages shows the puzzle (AWS WAF cannot show it in answer to a POST)
    for page in ("registro", "olvide-contrasena", "ingreso"):
        for prefix in ("/dev", ""):
            assert _bot_rule_matches(rule, "POST", f"{prefix}/{page}"), page
            assert _bot_rule_matches(rule, "GET", f"{prefix}/{page}"), page
            assert not _bot_rule_matches(rule, "PUT", f"{prefix}/{page}"), page
            assert not _bot_rule_matches(rule, "HEAD", f"{prefix}/{page}"), page
    for other in ("/dev/", "/", "/dev/ingreso/verificacion", "/dev/registros", "/dev/mis-roles", "/dev/salir"):
        assert not _bot_rule_matches(rule, "POST", other), other
    assert not _bot_rule_matches(rule, "POST", "/dev/static/portal.css")
    # the portal's own ACL counts people by the address of their connection
    rate = _rule(acl, "RatePerIp")["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP" and "ScopeDownStatement" not in rate
    assert "Block" in _rule(acl, "BodySizeLimit")["Action"]


def _portal_waf(action: str) -> dict[str, Any]:
    app = App(context={**BASE, "stage": "qa", "portalBotProtection": action})
    stack = Stack(app, "Edge")
    api = apigw.RestApi(stack, "Portal", deploy_options=apigw.StageOptions(stage_name="qa"))
    api.root.add_method("GET")
    PortalWaf(stack, "PortalWaf", config=StageConfig.from_node(app.node), stage=api.deployment_stage)
    (acl,) = Template.from_stack(stack).find_resources("AWS::WAFv2::WebACL").values()
    return dict(acl["Properties"])


def test_the_bot_protection_is_a_per_stage_switch() -> None:
    def choice(value: Any, stage: str = "qa") -> str:
        return StageConfig.from_node(App(context={**BASE, "stage": stage, "portalBotProtection": value}).node)

    assert choice("CAPTCHA").portal_bot_protection == "captcha"
    assert choice('{"qa": "challenge", "default": "captcha"}').portal_bot_protection == "challenge"
    assert choice({"prod": "captcha", "default": "off"}).portal_bot_protection == "off"
    for wrong in ("block", {"prod": "captcha"}):
        with pytest.raises(ValueError, match="portalBotProtection"):
            choice(wrong)
    challenge = _rule(_portal_waf("challenge"), "BotProtectionForms")
    assert challenge["Action"] == {"Challenge": {}}
    assert challenge["ChallengeConfig"] == {"ImmunityTimeProperty": {"ImmunityTime": 1800}}
    assert "CaptchaConfig" not in challenge
    assert [r["Name"] for r in _portal_waf("off")["Rules"] if r["Name"].startswith("Bot")] == []


# --------------------------------------------------------------------------- rate counting per person (decision 0087)
def _portal_key_match(statement: dict[str, Any], key_secret: str) -> None:
    match = statement["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-portal-key"}}
    assert match["PositionalConstraint"] == "EXACTLY"
    # CloudFormation resolves the forwarding key at deploy time: the value is not in the template
    assert match["SearchString"] == {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": key_secret}, ":SecretString:::}}"]]
    }


def test_the_api_counts_the_portals_calls_by_the_persons_address(synth: Synth) -> None:
    _, acl = _acl(synth, "-api")
    (key_secret,) = [
        k
        for k, s in synth.of_type("AWS::SecretsManager::Secret").items()
        if s["Properties"].get("Name", "").endswith("/portal/forwarding-key")
    ]
    anyone = _rule(acl, "RatePerIp")
    portal = _rule(acl, "RatePerPortalPerson")
    assert "Block" in anyone["Action"] and "Block" in portal["Action"]
    anyone_rate = anyone["Statement"]["RateBasedStatement"]
    portal_rate = portal["Statement"]["RateBasedStatement"]
    assert anyone_rate["Limit"] == portal_rate["Limit"] == 20000  # cdk.json wafRateLimitPer5Min, dev
    # anyone without the portal's key, whatever X-Portal-Client-Ip says, by the address of the connection
    assert anyone_rate["AggregateKeyType"] == "IP"
    _portal_key_match(anyone_rate["ScopeDownStatement"]["NotStatement"]["Statement"], key_secret)
    # the portal's calls by the person's address it forwards; an unreadable address is blocked, not let through
    assert portal_rate["AggregateKeyType"] == "FORWARDED_IP"
    assert portal_rate["ForwardedIPConfig"] == {"HeaderName": "X-Portal-Client-Ip", "FallbackBehavior": "MATCH"}
    _portal_key_match(portal_rate["ScopeDownStatement"], key_secret)
    # the header names are the ones the portal sends and the API's functions read (decision 0080)
    client = (REPO / "functions/portal/api_client.py").read_text(encoding="utf-8")
    assert 'CLIENT_IP_HEADER = "X-Portal-Client-Ip"' in client and 'KEY_HEADER = "X-Portal-Key"' in client


def test_waf_logs_never_keep_the_portals_key_or_the_peoples_tokens(synth: Synth) -> None:
    logged = {
        json.dumps(c["Properties"]["ResourceArn"]): c["Properties"]
        for c in synth.of_type("AWS::WAFv2::LoggingConfiguration").values()
    }
    for suffix in ("-api", "-portal"):
        acl_id, _ = _acl(synth, suffix)
        config = logged[json.dumps({"Fn::GetAtt": [acl_id, "Arn"]})]
        redacted = {f["SingleHeader"]["Name"] for f in config["RedactedFields"]}
        assert redacted == {"authorization", "cookie", "x-portal-key"}, suffix


# --------------------------------------------------------------------------- gateway errors as pages (decision 0088)
def test_the_portals_gateway_errors_are_small_spanish_pages(synth: Synth) -> None:
    portal = _portal_api(synth)
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["RestApiId"] == {"Ref": portal}
    }
    assert {k: v.get("StatusCode") for k, v in responses.items()} == {
        "WAF_FILTERED": "403",
        "THROTTLED": "429",
        "DEFAULT_4XX": None,
        "DEFAULT_5XX": None,
    }
    titles = set()
    for props in responses.values():
        assert props["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'text/html; charset=utf-8'"
        assert props["ResponseParameters"]["gatewayresponse.header.Cache-Control"] == "'no-store'"
        (page,) = props["ResponseTemplates"].values()
        assert list(props["ResponseTemplates"]) == ["text/html"]
        assert page.startswith("<!DOCTYPE html>") and '<html lang="es">' in page and len(page.encode()) < 4096
        # a Velocity template: no directive or variable but the request id
        assert "#" not in page and page.count("$") == 1 and "$context.requestId" in page
        # the inline style is the only one the page's CSP allows
        style = re.search(r"<style>(.*?)</style>", page, re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert f"style-src 'sha256-{digest}'" in page and "default-src 'none'" in page
        assert "<script" not in page and 'href="/"' in page and "Mesa de ayuda" in page
        titles.add(re.search(r"<h1>(.*?)</h1>", page).group(1))  # type: ignore[union-attr]
    assert len(titles) == 4


# --------------------------------------------------------------------------- monitoring (decision 0073)
def test_the_portal_is_watched_like_the_api(synth: Synth) -> None:
    stage = synth.context["stage"]
    alarms = {a["Properties"]["AlarmName"]: a["Properties"] for a in synth.of_type("AWS::CloudWatch::Alarm").values()}
    (portal_function,) = [
        k for k, f in synth.of_type("AWS::Lambda::Function").items() if f["Properties"]["Handler"].startswith("portal.")
    ]
    for what, metric in (("errors", "Errors"), ("throttles", "Throttles")):
        alarm = alarms[f"sat-ccf-{stage}-portal-{what}"]
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": portal_function}}]
    five = alarms[f"sat-ccf-{stage}-portal-api-5xx"]
    assert (five["Namespace"], five["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    assert {"Name": "ApiName", "Value": f"sat-ccf-{stage}-portal"} in five["Dimensions"]
    blocked = alarms[f"sat-ccf-{stage}-portal-waf-blocked-spike"]
    assert {"Name": "WebACL", "Value": f"sat-ccf-{stage}-portal"} in blocked["Dimensions"]
    assert f"sat-ccf-{stage}-portal-permission-denied" not in alarms  # the portal does not emit that metric
    (dashboard,) = synth.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    assert "Portal: requests, 4xx, 5xx" in body and "4XXError" in body
    assert f"sat-ccf-{stage}-portal" in body and "WAF: blocked requests (API, portal)" in body
    assert portal_function in body  # its errors and duration next to the API's functions
