"""The portal's edge in the local runtime, from the synthesized template (decisions 0087, 0088): the bot protection
rule is skipped and said so; the API's web ACL counts the portal's calls by the person's forwarded address and
everyone else by the connection; the portal's gateway errors are Spanish pages; the functions' PORTAL_BASE_URL names
the runtime's real portal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.apigw import ApiGateway, GatewayResponses, rest_apis
from local.runtime import portal_rest_api
from local.template import Template
from local.waf import WafRequest, WebAcl

TEMPLATE = Path(__file__).resolve().parents[2] / "cdk.out" / "SatCcf-dev.template.json"
PORTAL_KEY = "k" * 48  # what the local Secrets Manager would hold
PORTAL_ADDRESS = "198.51.100.7"  # the portal function's own address, as the API sees it


@pytest.fixture(scope="module")
def template() -> Template:
    if not TEMPLATE.exists():
        pytest.skip("synthesize first: python infra/app.py")
    return Template.load(TEMPLATE)


def _apis(template: Template) -> tuple[str, str]:
    portal = portal_rest_api(template)
    assert portal is not None
    (api,) = [lid for lid in rest_apis(template) if lid != portal]
    return api, portal


def _api_acl(template: Template, limit: int) -> WebAcl:
    api, _ = _apis(template)
    secrets_read: list[str] = []

    def secret_value(secret_id: str) -> str:
        secrets_read.append(secret_id)
        return PORTAL_KEY

    acl = WebAcl.from_template(template, api, secret_value)
    assert acl is not None and acl.name.endswith("-api")
    assert secrets_read and all("PortalForwardingKey" in s or "forwarding-key" in s for s in secrets_read)
    for rule in acl.rules:
        if "RateBasedStatement" in rule["Statement"]:
            rule["Statement"]["RateBasedStatement"]["Limit"] = limit
    return acl


def _call(source_ip: str, headers: dict[str, str] | None = None) -> WafRequest:
    return WafRequest(
        method="POST",
        path="/dev/sessions",
        query="",
        headers={"user-agent": "sat-ccf-portal", "content-type": "application/json"} | (headers or {}),
        body=b"{}",
        source_ip=source_ip,
    )


def _from_portal(person: str, key: str = PORTAL_KEY) -> WafRequest:
    return _call(PORTAL_ADDRESS, {"x-portal-key": key, "x-portal-client-ip": person})


def test_two_persons_behind_the_portal_are_counted_separately(template: Template) -> None:
    acl = _api_acl(template, limit=3)
    now = 5000.0
    for _ in range(3):
        assert acl.blocking_rule(_from_portal("203.0.113.1"), now=now) is None
    assert acl.blocking_rule(_from_portal("203.0.113.1"), now=now) == "RatePerPortalPerson"
    # the next person behind the same portal still gets through: not one shared count for everybody
    for _ in range(3):
        assert acl.blocking_rule(_from_portal("203.0.113.2"), now=now) is None
    # and the portal's own address was never counted as a caller of its own
    assert acl.blocking_rule(_call(PORTAL_ADDRESS), now=now) is None


def test_a_direct_caller_forging_the_header_is_counted_by_its_own_address(template: Template) -> None:
    acl = _api_acl(template, limit=3)
    now = 7000.0
    forger = "192.0.2.66"
    for _ in range(3):
        # a wrong key, or none: X-Portal-Client-Ip means nothing
        assert acl.blocking_rule(_call(forger, {"x-portal-client-ip": "203.0.113.9"}), now=now) is None
    assert (
        acl.blocking_rule(_call(forger, {"x-portal-key": "x" * 48, "x-portal-client-ip": "203.0.113.10"}), now=now)
        == "RatePerIp"
    )
    # the forged addresses were not charged: the people who really have them are untouched
    assert acl.blocking_rule(_from_portal("203.0.113.9"), now=now) is None


def test_a_portal_call_without_a_valid_address_is_blocked_not_uncounted(template: Template) -> None:
    acl = _api_acl(template, limit=3)
    assert acl.blocking_rule(_from_portal("not-an-address"), now=1.0) == "RatePerPortalPerson"
    assert acl.blocking_rule(_from_portal("203.0.113.1, 10.0.0.1"), now=1.0) is None  # the first address counts


def test_without_a_secret_reader_the_key_never_matches(template: Template) -> None:
    api, _ = _apis(template)
    acl = WebAcl.from_template(template, api)
    assert acl is not None
    for rule in acl.rules:
        if "RateBasedStatement" in rule["Statement"]:
            rule["Statement"]["RateBasedStatement"]["Limit"] = 1
    assert acl.blocking_rule(_from_portal("203.0.113.1"), now=1.0) is None
    # counted by the connection (the portal's address) as any other caller
    assert acl.blocking_rule(_from_portal("203.0.113.2"), now=1.0) == "RatePerIp"


def test_the_bot_protection_rule_is_skipped_locally_and_reported(template: Template) -> None:
    _, portal = _apis(template)
    acl = WebAcl.from_template(template, portal)
    assert acl is not None and acl.name.endswith("-portal")
    assert acl.skipped == ["BotProtectionForms (Captcha)"]
    for method, path in (("GET", "/dev/ingreso"), ("POST", "/dev/registro"), ("POST", "/dev/olvide-contrasena")):
        request = WafRequest(method, path, "", {"user-agent": "Mozilla/5.0"}, b"csrf=x", "192.0.2.1")
        assert acl.blocking_rule(request) is None
    api, _ = _apis(template)
    api_acl = WebAcl.from_template(template, api, lambda _: PORTAL_KEY)
    assert api_acl is not None and api_acl.skipped == []


def _portal_gateway(template: Template) -> tuple[ApiGateway, list[str]]:
    _, portal = _apis(template)
    invoked: list[str] = []

    def invoke(function: str, event: dict[str, Any], request_id: str) -> dict[str, Any]:
        invoked.append(event["path"])
        return {"statusCode": 200, "headers": {"Content-Type": "text/html; charset=utf-8"}, "body": "<p>ok</p>"}

    waf = WebAcl.from_template(template, portal)
    return ApiGateway(template, invoke, {}, waf=waf, rest_api=portal), invoked


def test_a_request_the_portals_waf_blocks_gets_a_spanish_page(template: Template) -> None:
    gateway, invoked = _portal_gateway(template)
    body = b"csrf=x&nombre=" + b"a" * 9000
    headers = [("User-Agent", "Mozilla/5.0"), ("Content-Type", "application/x-www-form-urlencoded")]
    response = gateway.handle("POST", "/registro", headers, body, "192.0.2.3")
    assert response.status == 403 and invoked == []
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    page = response.body.decode()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="es">' in page
    assert "<h1>Solicitud bloqueada</h1>" in page and "Mesa de ayuda" in page
    assert "$context" not in page and response.headers["x-amzn-RequestId"] in page  # the id for the help desk
    assert len(response.body) < 4096
    assert gateway.handle("GET", "/", [("User-Agent", "Mozilla/5.0")], None, "192.0.2.3").status == 200


@pytest.mark.parametrize(
    ("rtype", "status", "title"),
    [
        ("THROTTLED", 429, "Demasiadas solicitudes"),
        ("MISSING_AUTHENTICATION_TOKEN", 403, "No pudimos atender la solicitud"),  # DEFAULT_4XX keeps the status
        ("REQUEST_TOO_LARGE", 413, "No pudimos atender la solicitud"),
        ("INTEGRATION_FAILURE", 502, "El portal no está disponible"),  # DEFAULT_5XX keeps the status
    ],
)
def test_every_portal_gateway_error_is_a_page(template: Template, rtype: str, status: int, title: str) -> None:
    _, portal = _apis(template)
    code, headers, body = GatewayResponses.from_template(template, portal).render(rtype, {"requestId": "r-1"}, {})
    assert code == status and headers["Content-Type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in body.decode() and "r-1" in body.decode()


def test_the_apis_gateway_errors_stay_problem_json(template: Template) -> None:
    api, _ = _apis(template)
    code, headers, body = GatewayResponses.from_template(template, api).render("WAF_FILTERED", {}, {})
    assert code == 403 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["code"] == "REQUEST_BLOCKED"


def test_the_functions_portal_base_url_names_the_runtimes_portal(template: Template) -> None:
    local = Template.load(TEMPLATE)
    configured = local.output("PortalBaseUrl")
    assert configured == "http://127.0.0.1:8000"  # cdk.json portalBaseUrl
    local.url_aliases[configured] = "http://127.0.0.1:45678"
    assert local.localize(configured) == "http://127.0.0.1:45678"
    assert (
        local.localize(f"{configured}/asignar-contrasena?token=t")
        == "http://127.0.0.1:45678/asignar-contrasena?token=t"
    )
    # a list of origins, or another port that merely starts alike, is not a URL of the portal
    assert local.localize(f"{configured},http://localhost:8000") == f"{configured},http://localhost:8000"
    assert local.localize("http://127.0.0.1:80001/x") == "http://127.0.0.1:80001/x"
    registration = next(
        r
        for r in local.of_type("AWS::Lambda::Function").values()
        if r["Properties"]["Handler"].startswith("registration.")
    )
    env = local.resolve(registration["Properties"]["Environment"]["Variables"])
    assert local.localize(env["PORTAL_BASE_URL"]) == "http://127.0.0.1:45678"
