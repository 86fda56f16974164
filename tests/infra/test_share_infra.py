"""Shared services (decision 0050) in the template: the local-only loopback setting is off in every deployed
stage, and the share function gets exactly the secrets access it uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from infra_synth import Synth

ROOT = Path(__file__).resolve().parents[2]


def _functions(synth: Synth) -> dict[str, dict]:
    return synth.of_type("AWS::Lambda::Function")


def test_no_function_allows_loopback_urls(synth: Synth) -> None:
    functions = _functions(synth)
    assert functions
    for logical_id, resource in functions.items():
        variables = resource["Properties"].get("Environment", {}).get("Variables", {})
        assert str(variables.get("ALLOW_LOOPBACK_URLS", "false")).lower() in {"false", "0", ""}, logical_id
        assert "ALLOW_LOOPBACK_URLS" not in variables, logical_id


def test_the_cdk_app_never_sets_the_loopback_setting() -> None:
    """Every stage is synthesized by the same code (stage only changes context values): no file of the
    CDK app, nor cdk.json, mentions the variable."""
    sources = [*ROOT.joinpath("infra").rglob("*.py"), ROOT / "cdk.json"]
    offenders = [str(path) for path in sources if "ALLOW_LOOPBACK_URLS" in path.read_text(encoding="utf-8")]
    assert offenders == []


def test_share_function_environment_and_secrets_grant(synth: Synth) -> None:
    share = next(r for r in _functions(synth).values() if r["Properties"]["Handler"] == "share.handler.lambda_handler")
    variables = share["Properties"]["Environment"]["Variables"]
    for name in ("MAIN_TABLE_NAME", "AUDIT_TABLE_NAME", "SECRETS_PREFIX", "SECRETS_KMS_KEY_ARN"):
        assert name in variables
    assert variables["SECRETS_PREFIX"].endswith("/shared-services/")
    policies = [
        r
        for r in synth.of_type("AWS::IAM::Policy").values()
        if any("ShareRole" in str(role) for role in r["Properties"].get("Roles", []))
    ]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    for needed in (
        "secretsmanager:CreateSecret",
        "secretsmanager:PutSecretValue",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UpdateSecretVersionStage",
        "secretsmanager:RestoreSecret",
        "kms:GenerateDataKey",
        "kms:Decrypt",
    ):
        assert needed in actions, needed
    kms = [s for s in statements if "kms:GenerateDataKey" in s["Action"]]
    assert any("secretsmanager." in str(s.get("Condition")) for s in kms)


def test_public_urls_come_from_the_stack_not_from_requests(synth: Synth) -> None:
    """Decision 0054: the functions that hand URLs to CCF systems get the API's stage URL from the template,
    composed from the RestApi (not the Stage, which depends on the functions), so no request's Host is used."""
    (api_id,) = [  # not the portal's own RestApi (decision 0080)
        k
        for k, r in synth.of_type("AWS::ApiGateway::RestApi").items()
        if not r["Properties"]["Name"].endswith("-portal")
    ]
    stage = synth.context["stage"]
    for handler in ("catalog.handler.lambda_handler", "exchange.handler.lambda_handler"):
        function = next(r for r in _functions(synth).values() if r["Properties"]["Handler"] == handler)
        url = function["Properties"]["Environment"]["Variables"]["PUBLIC_API_BASE_URL"]
        assert url == {
            "Fn::Join": [
                "",
                ["https://", {"Ref": api_id}, ".execute-api.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"},
                 f"/{stage}"],
            ]
        }  # fmt: skip


def test_the_share_function_can_tell_the_other_authorized_persons_and_test_two_urls(synth: Synth) -> None:
    share = next(r for r in _functions(synth).values() if r["Properties"]["Handler"] == "share.handler.lambda_handler")
    variables = share["Properties"]["Environment"]["Variables"]
    assert {"OUTBOX_QUEUE_URL", "PORTAL_BASE_URL"} <= set(variables)  # the change notice (decision 0054)
    # two outbound calls (token URL, then the service's URL), each within the 8 s total deadline
    assert share["Properties"]["Timeout"] >= 2 * 8 + 2


def test_a_custom_api_base_url_is_checked() -> None:
    from aws_cdk import App

    from infra.config import StageConfig, cdk_json_context

    base = cdk_json_context()
    assert StageConfig.from_node(App(context=base).node).api_base_url is None
    custom = App(context={**base, "apiBaseUrl": "https://api.sat.example.gov.co/"})
    assert StageConfig.from_node(custom.node).api_base_url == "https://api.sat.example.gov.co"
    for bad in ("http://api.sat.example.gov.co", "https://api.example.co/?host=x", "api.example.co"):
        with pytest.raises(ValueError, match="apiBaseUrl"):
            StageConfig.from_node(App(context={**base, "apiBaseUrl": bad}).node)
