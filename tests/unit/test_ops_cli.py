"""`python -m ops`: finding its target (CloudFormation outputs on moto, the local runtime's ready.json and
template) and the exit codes an operator or a script relies on. Nothing here reaches AWS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from moto import mock_aws

from ops import target
from ops.errors import NO_TARGET, USAGE, OpsError

REPO = Path(__file__).resolve().parents[2]
REAL_TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"
NEEDED = ("MainTableName", "ReferenceTableName", "AuditTableName", "PeopleUserPoolId", "OutboxQueueUrl")
NEEDED += ("PortalBaseUrl", "Stage", "ApiUrl")


def run_ops(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run([sys.executable, "-m", "ops", *argv], cwd=REPO, env=env, capture_output=True, text=True)


def test_without_a_stack_it_is_a_usage_error():
    done = run_ops("smoke")
    assert done.returncode == USAGE and "--stage" in done.stderr


def test_without_a_local_runtime_it_says_where_it_looked(tmp_path):
    done = run_ops("--local", str(tmp_path), "smoke")
    assert done.returncode == NO_TARGET and "ready.json" in done.stderr and "make local" in done.stderr


def test_deployed_without_credentials_or_region_it_says_so():
    done = run_ops("--stage", "prod", "outputs")
    assert done.returncode == NO_TARGET and ("region" in done.stderr or "credentials" in done.stderr)


def test_a_wrong_command_is_a_usage_error():
    assert run_ops("--local", "x", "destroy-everything").returncode == USAGE


@mock_aws
def test_deployed_outputs_come_from_describe_stacks(monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    body = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "ops-test"}}},
        "Outputs": {"OutboxQueueUrl": {"Value": {"Ref": "Q"}}, "Stage": {"Value": "prod"}},
    }
    boto3.client("cloudformation", region_name="sa-east-1").create_stack(
        StackName="SatCcf-prod", TemplateBody=json.dumps(body)
    )
    found = target.deployed("SatCcf-prod", "sa-east-1", None)
    assert found.outputs["Stage"] == "prod" and found.outputs["OutboxQueueUrl"].endswith("/ops-test")
    with pytest.raises(OpsError, match="ReferenceTableName is missing") as missing:
        found.output("ReferenceTableName")
    assert missing.value.exit_code == NO_TARGET
    with pytest.raises(OpsError, match="does not exist in sa-east-1") as absent:
        target.deployed("SatCcf-qa", "sa-east-1", None)
    assert absent.value.exit_code == NO_TARGET


def test_local_outputs_resolve_the_real_template_to_the_local_resources():
    """Every output the commands read exists in the synthesized template and resolves locally."""
    if not REAL_TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    template = json.loads(REAL_TEMPLATE.read_text())
    resources = template["Resources"]
    info = {
        "template": str(REAL_TEMPLATE),
        "region": "us-east-1",
        "api_url": "http://127.0.0.1:3999",
        "tables": {lid: f"local-{lid}" for lid, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table"},
        "queues": {lid: f"http://moto/{lid}" for lid, r in resources.items() if r["Type"] == "AWS::SQS::Queue"},
        "user_pools": {lid: f"pool-{lid}" for lid, r in resources.items() if r["Type"] == "AWS::Cognito::UserPool"},
        "user_pool_clients": {},
    }
    outputs = target.local_outputs(info)
    assert set(NEEDED) <= set(outputs), set(NEEDED) - set(outputs)
    main = template["Outputs"]["MainTableName"]["Value"]["Ref"]
    assert outputs["MainTableName"] == f"local-{main}" and outputs["ApiUrl"] == "http://127.0.0.1:3999"
    assert outputs["Stage"] == "dev" and outputs["PortalBaseUrl"].startswith("http")
