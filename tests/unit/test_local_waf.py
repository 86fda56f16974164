"""The local WAF: the synthesized web ACL blocks locally what AWS WAF blocks in front of the API."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from local.apigw import ApiGateway, rest_apis
from local.runtime import portal_rest_api
from local.template import Template
from local.waf import WafRequest, WebAcl

TEMPLATE = Path(__file__).resolve().parents[2] / "cdk.out" / "SatCcf-dev.template.json"


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load(TEMPLATE)


def _request(path: str = "/registrations", body: bytes = b"", ua: str | None = "Mozilla/5.0", **extra) -> WafRequest:
    headers = {"content-type": "application/json"} | ({"user-agent": ua} if ua is not None else {})
    return WafRequest(
        method=extra.get("method", "POST"),
        path=f"/dev{path}",
        query=extra.get("query", ""),
        headers=headers,
        body=body,
        source_ip=extra.get("ip", "192.0.2.10"),
    )


def test_the_synthesized_web_acl_blocks_what_aws_blocks(template):
    acl = WebAcl.from_template(template)
    assert acl is not None
    assert acl.blocking_rule(_request(body=b"{}")) is None
    assert acl.blocking_rule(_request(ua=None)) == "AWSManagedRulesCommonRuleSet/NoUserAgent_HEADER"
    assert acl.blocking_rule(_request(ua="  ")) == "AWSManagedRulesCommonRuleSet/NoUserAgent_HEADER"
    assert (
        acl.blocking_rule(_request(query="q=" + "x" * 2100))
        == "AWSManagedRulesCommonRuleSet/SizeRestrictions_QUERYSTRING"
    )
    nine_kb = b'{"x": "' + b"a" * 9000 + b'"}'
    assert acl.blocking_rule(_request(body=nine_kb)) == "BodySizeLimit"
    assert acl.blocking_rule(_request(body=b"a" * 40_000)) == "BodySizeLimit"  # past the 16 KB inspected: MATCH
    # The Ministry's catalog takes OpenAPI documents up to the API's own 64 KB.
    assert acl.blocking_rule(_request("/admin/services", body=b"a" * 40_000)) is None
    assert acl.blocking_rule(_request("/admin/services/svc-1", body=nine_kb, method="PATCH")) is None
    assert acl.blocking_rule(_request("/admin/services/svc-1/other", body=nine_kb)) == "BodySizeLimit"


def test_the_rate_rule_counts_each_source_address_over_its_window(template):
    acl = WebAcl.from_template(template)
    assert acl is not None
    (rate_rule,) = [r for r in acl.rules if r["Name"] == "RatePerIp"]  # callers other than the portal (0087)
    limit = int(rate_rule["Statement"]["RateBasedStatement"]["Limit"])
    assert limit == 20000  # the dev stage (cdk.json); other stages keep 1000
    rate_rule["Statement"]["RateBasedStatement"]["Limit"] = 5
    for second in range(5):
        assert acl.blocking_rule(_request(ip="192.0.2.1"), now=1000.0 + second) is None
    assert acl.blocking_rule(_request(ip="192.0.2.1"), now=1005.0) == "RatePerIp"
    assert acl.blocking_rule(_request(ip="192.0.2.2"), now=1005.0) is None  # another address is not affected
    assert acl.blocking_rule(_request(ip="192.0.2.1"), now=1000.0 + 300 + 6) is None  # the window moved on


def test_count_overrides_and_unknown_groups_do_not_block():
    acl = WebAcl(
        name="t",
        rules=[
            {
                "Name": "Common",
                "Priority": 0,
                "OverrideAction": {"Count": {}},
                "Statement": {
                    "ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}
                },
            },
            {
                "Name": "Bad",
                "Priority": 1,
                "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet"}},
            },
            {
                "Name": "AllowHealth",
                "Priority": 2,
                "Action": {"Allow": {}},
                "Statement": {
                    "ByteMatchStatement": {
                        "FieldToMatch": {"UriPath": {}},
                        "SearchString": "/health",
                        "PositionalConstraint": "ENDS_WITH",
                        "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                    }
                },
            },
        ],
        default_block=True,
    )
    assert acl.blocking_rule(_request("/HEALTH", ua=None)) is None
    assert acl.blocking_rule(_request("/registrations")) == "DefaultAction"


def test_a_blocked_request_gets_the_waf_filtered_gateway_response(template):
    invoked: list[str] = []

    def invoke(function: str, event: dict, request_id: str) -> dict:
        invoked.append(event["path"])
        return {"statusCode": 200, "body": "{}"}

    (api,) = [lid for lid in rest_apis(template) if lid != portal_rest_api(template)]
    gateway = ApiGateway(template, invoke, {}, waf=WebAcl.from_template(template, api), rest_api=api)
    big = json.dumps({"x": "a" * 9000}).encode()
    response = gateway.handle(
        "POST", "/registrations", [("User-Agent", "ua"), ("Content-Type", "application/json")], big, "192.0.2.3"
    )
    assert response.status == 403 and invoked == []
    problem = json.loads(response.body)
    assert problem["code"] == "REQUEST_BLOCKED" and response.headers["Content-Type"] == "application/problem+json"
    ok = gateway.handle("GET", "/health", [("User-Agent", "ua")], None, "192.0.2.3")
    assert ok.status == 200 and invoked == ["/health"]


def test_a_template_without_a_web_acl_has_no_waf(template):
    stripped = copy.deepcopy(template)
    for lid in [k for k, v in stripped.resources.items() if v["Type"].startswith("AWS::WAFv2::")]:
        del stripped.resources[lid]
    assert WebAcl.from_template(stripped) is None
