"""Issue 6 part A on the synthesized template: the local-only loopback setting is off in every deployed
stage, and the share function gets exactly the secrets access it uses."""

from __future__ import annotations

from pathlib import Path

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
        "secretsmanager:DescribeSecret",
        "secretsmanager:TagResource",
        "secretsmanager:UpdateSecretVersionStage",
        "secretsmanager:RestoreSecret",
        "kms:GenerateDataKey",
        "kms:Decrypt",
    ):
        assert needed in actions, needed
    kms = [s for s in statements if "kms:GenerateDataKey" in s["Action"]]
    assert any("secretsmanager." in str(s.get("Condition")) for s in kms)
