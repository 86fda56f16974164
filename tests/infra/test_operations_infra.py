"""What an empty account needs from the template to work (docs/deploy.md): context values as the CDK CLI gives
them, CORS on the RUT bucket, a failed first deploy that can be retried, termination protection, SES for
production, the HTTP reference source, and an alarm for everything that can break (decisions 0071-0074)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from infra_synth import Synth

from infra.api_routes import API_FUNCTIONS, AUTHORIZER_FUNCTIONS, QUEUE_FUNCTIONS
from infra.components.email import Email
from infra.config import StageConfig, cdk_json_context

ALL_FUNCTIONS = tuple(dict.fromkeys((*API_FUNCTIONS, *QUEUE_FUNCTIONS, *AUTHORIZER_FUNCTIONS)))
BASE = {
    "senderEmail": "no-responder@example.com",
    "portalBaseUrl": "https://portal.example.com/",
    "corsAllowedOrigins": ["https://portal.example.com"],
    "notificationTargetName": "sat-ccf-test-notifications",
}
PROD = {
    "stage": "prod",
    "senderEmail": "no-responder@sat.example.gov.co",
    "portalBaseUrl": "https://portal.sat.example.gov.co",
    # as `-c key=value` delivers them: strings
    "corsAllowedOrigins": '["https://portal.sat.example.gov.co"]',
    "notificationTargetName": "sat-ccf-prod-notifications",
    "sesDomain": "sat.example.gov.co",
    "sesHostedZoneId": "Z0123456789ABCDEFGHIJ",
    "alarmEmail": "operaciones@example.gov.co",
    "referenceSource": json.dumps(
        {"kind": "http", "baseUrl": "https://fuentes.example.gov.co/v1", "secretName": "sat-ccf/prod/ref"}
    ),
}


def config(**context: Any) -> StageConfig:
    return StageConfig.from_node(App(context={**BASE, **context}).node)


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """One production-like synth (cdk-nag included), with every context value as the CLI passes it."""
    from infra.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out.prod")
    build_app(outdir=outdir, context_overrides=PROD).synth()
    template = json.loads((outdir / "SatCcf-prod.template.json").read_text(encoding="utf-8"))
    return Synth(outdir=outdir, stack_name="SatCcf-prod", template=template, context={**cdk_json_context(), **PROD})


def resources_of(synth: Synth, cfn_type: str) -> dict[str, dict[str, Any]]:
    return synth.of_type(cfn_type)


# --------------------------------------------------------------------------- context values from the CLI
@pytest.mark.parametrize(
    "value",
    ['["https://a.example","https://b.example:8443"]', "https://a.example, https://b.example:8443"],
)
def test_cors_origins_as_a_json_list_or_comma_separated(value: str) -> None:
    assert config(corsAllowedOrigins=value).cors_allowed_origins == ("https://a.example", "https://b.example:8443")


@pytest.mark.parametrize(
    "value", ['["https://a.example"', "https://a.example/portal", '"https://a.example"', "portal.example"]
)
def test_a_value_that_is_not_an_origin_is_refused_at_synth(value: str) -> None:
    """The README's old command turned `["https://…"]` into the literal origin `["https://…"]`."""
    with pytest.raises(ValueError, match="corsAllowedOrigins"):
        config(corsAllowedOrigins=value)


def test_reference_source_and_ses_values_are_checked() -> None:
    assert config().reference_source.kind == "dynamodb"
    http = config(referenceSource=PROD["referenceSource"]).reference_source
    assert (http.kind, http.base_url, http.secret_name) == (
        "http",
        "https://fuentes.example.gov.co/v1",
        "sat-ccf/prod/ref",
    )
    for bad in ('{"kind": "ftp"}', '{"kind": "http", "baseUrl": "http://x.example", "secretName": "s"}', "{"):
        with pytest.raises(ValueError, match="referenceSource"):
            config(referenceSource=bad)
    with pytest.raises(ValueError, match="senderEmail must be an address of sesDomain"):
        config(sesDomain="otro.example.gov.co")
    with pytest.raises(ValueError, match="sesHostedZoneId needs sesDomain"):
        config(sesHostedZoneId="Z1")
    with pytest.raises(ValueError, match="alarmEmail"):
        config(alarmEmail="operaciones")


# --------------------------------------------------------------------------- RUT bucket: SigV4 POST from the portal
def test_rut_bucket_allows_only_post_from_the_portal_origins(synth: Synth, prod: Synth) -> None:
    for built, origins in ((synth, synth.context["corsAllowedOrigins"]), (prod, ["https://portal.sat.example.gov.co"])):
        buckets = [b for b in resources_of(built, "AWS::S3::Bucket").values() if "CorsConfiguration" in b["Properties"]]
        (rut,) = buckets
        (rule,) = rut["Properties"]["CorsConfiguration"]["CorsRules"]
        assert rule["AllowedMethods"] == ["POST"] and rule["AllowedOrigins"] == list(origins)
        assert rut["Properties"]["NotificationConfiguration"]["QueueConfigurations"]  # the RUT bucket itself


# --------------------------------------------------------------------------- retries of a failed first deploy
def test_nothing_is_retained_on_a_failed_create(synth: Synth) -> None:
    kept = {lid: r["DeletionPolicy"] for lid, r in synth.resources.items() if "DeletionPolicy" in r}
    assert "Retain" not in kept.values(), [lid for lid, policy in kept.items() if policy == "Retain"]
    named = [
        *resources_of(synth, "AWS::DynamoDB::Table"),
        *resources_of(synth, "AWS::Logs::LogGroup"),
        *resources_of(synth, "AWS::SQS::Queue"),
    ]
    assert len(named) >= 3 + 11 + 8
    for logical_id in named:
        resource = synth.resources[logical_id]
        assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("RetainExceptOnCreate", "Retain")


def test_termination_protection_on_every_stage_but_dev(synth: Synth, prod: Synth) -> None:
    def protection(built: Synth) -> bool:
        manifest = json.loads((Path(built.outdir) / "manifest.json").read_text())
        return bool(manifest["artifacts"][built.stack_name]["properties"].get("terminationProtection"))

    assert protection(synth) is False and protection(prod) is True


# --------------------------------------------------------------------------- SES for production
def test_ses_configuration_set_sends_bounces_and_complaints_to_the_delivery_function(synth: Synth) -> None:
    (config_set_id,) = resources_of(synth, "AWS::SES::ConfigurationSet")
    props = synth.props(config_set_id)
    assert props["SuppressionOptions"]["SuppressedReasons"] == ["BOUNCE", "COMPLAINT"]
    assert props["DeliveryOptions"]["TlsPolicy"] == "REQUIRE"
    (identity,) = resources_of(synth, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["ConfigurationSetAttributes"]["ConfigurationSetName"] == {"Ref": config_set_id}
    (destination,) = resources_of(synth, "AWS::SES::ConfigurationSetEventDestination").values()
    event = destination["Properties"]["EventDestination"]
    assert sorted(event["MatchingEventTypes"]) == ["bounce", "complaint"]
    topic_id = event["SnsDestination"]["TopicARN"]["Ref"]
    assert "KmsMasterKeyId" in synth.props(topic_id)
    (subscription,) = [
        s
        for s in resources_of(synth, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": topic_id}
    ]
    assert subscription["Properties"]["RawMessageDelivery"] is True and "RedrivePolicy" in subscription["Properties"]
    queue_id = subscription["Properties"]["Endpoint"]["Fn::GetAtt"][0]
    mappings = [
        m["Properties"]
        for m in resources_of(synth, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    (mapping,) = mappings
    function = synth.props(mapping["FunctionName"]["Ref"])
    assert function["FunctionName"].endswith("-delivery") and mapping["FunctionResponseTypes"] == [
        "ReportBatchItemFailures"
    ]


def test_production_uses_a_domain_identity_with_dkim_in_the_hosted_zone(prod: Synth) -> None:
    (identity,) = resources_of(prod, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "sat.example.gov.co"
    assert identity["Properties"]["DkimSigningAttributes"]["NextSigningKeyLength"] == "RSA_2048_BIT"
    records = resources_of(prod, "AWS::Route53::RecordSet").values()
    assert len(records) == 3 and {r["Properties"]["Type"] for r in records} == {"CNAME"}
    assert {r["Properties"]["HostedZoneId"] for r in records} == {"Z0123456789ABCDEFGHIJ"}
    statements = [
        s
        for policy in resources_of(prod, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ses:SendTemplatedEmail" in json.dumps(s["Action"])
    ]
    (send,) = statements
    assert any("identity/sat.example.gov.co" in json.dumps(r) for r in send["Resource"])
    assert any("configuration-set/" in json.dumps(r) for r in send["Resource"])


def test_without_a_hosted_zone_the_dkim_records_are_outputs() -> None:
    stack = Stack(App(), "EmailOnly")
    Email(stack, "Email", config=config(senderEmail="no-responder@sat.example.gov.co", sesDomain="sat.example.gov.co"))
    from aws_cdk.assertions import Template

    outputs = Template.from_stack(stack).to_json()["Outputs"]
    assert len([name for name in outputs if "DkimRecord" in name]) == 3


# --------------------------------------------------------------------------- the HTTP reference source
def test_http_reference_source_reaches_the_functions_with_its_secret_only(prod: Synth) -> None:
    functions = {
        r["Properties"]["FunctionName"].rsplit("-", 1)[-1]: r
        for r in resources_of(prod, "AWS::Lambda::Function").values()
    }
    for area in ("registration", "delegation"):
        env = functions[area]["Properties"]["Environment"]["Variables"]
        assert env["REFERENCE_SOURCE_KIND"] == "http"
        assert env["REFERENCE_SOURCE_BASE_URL"] == "https://fuentes.example.gov.co/v1"
        assert env["REFERENCE_SOURCE_SECRET_NAME"] == "sat-ccf/prod/ref"
        assert "ALLOW_LOOPBACK_URLS" not in env
    grants = [
        s
        for policy in resources_of(prod, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in json.dumps(s["Action"])
        and "sat-ccf/prod/ref" in json.dumps(s["Resource"])
    ]
    assert len(grants) == 2 and all(json.dumps(g["Resource"]).count("sat-ccf/prod/ref-??????") == 1 for g in grants)


# --------------------------------------------------------------------------- alarms
def _alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        a["Properties"]["AlarmName"]: a["Properties"] for a in resources_of(synth, "AWS::CloudWatch::Alarm").values()
    }


def test_every_dead_letter_queue_has_an_alarm(synth: Synth) -> None:
    dlq_ids = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in resources_of(synth, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    }
    watched = {
        dim["Value"]["Fn::GetAtt"][0]
        for alarm in _alarms(synth).values()
        if alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        for dim in alarm["Dimensions"]
    }
    assert len(dlq_ids) == 4 and dlq_ids == watched
    for alarm in _alarms(synth).values():
        if alarm["MetricName"] == "ApproximateNumberOfMessagesVisible":
            assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_every_function_has_error_throttle_and_permission_alarms(synth: Synth) -> None:
    alarms = _alarms(synth)
    stage = synth.context["stage"]
    for area in ALL_FUNCTIONS:
        errors = alarms[f"sat-ccf-{stage}-{area}-errors"]
        assert (errors["Namespace"], errors["MetricName"]) == ("AWS/Lambda", "Errors")
        assert alarms[f"sat-ccf-{stage}-{area}-throttles"]["MetricName"] == "Throttles"
        denied = alarms[f"sat-ccf-{stage}-{area}-permission-denied"]
        assert (denied["Namespace"], denied["MetricName"]) == ("SatCcf", "AwsPermissionDenied")
        assert denied["Dimensions"] == [{"Name": "service", "Value": area}]


def test_api_waf_and_delivery_alarms_go_to_an_encrypted_ssl_only_topic(synth: Synth, prod: Synth) -> None:
    alarms = _alarms(synth)
    stage = synth.context["stage"]
    assert alarms[f"sat-ccf-{stage}-api-5xx"]["MetricName"] == "5XXError"
    assert alarms[f"sat-ccf-{stage}-api-p99-latency"]["ExtendedStatistic"] == "p99"
    assert alarms[f"sat-ccf-{stage}-waf-blocked-spike"]["Namespace"] == "AWS/WAFV2"
    assert alarms[f"sat-ccf-{stage}-notifications-failed"]["MetricName"] == "NotificationsFallida"
    assert alarms[f"sat-ccf-{stage}-ses-bounce-rate"]["MetricName"] == "Reputation.BounceRate"
    topics = {a["AlarmActions"][0]["Ref"] for a in alarms.values()} | {
        a["OKActions"][0]["Ref"] for a in alarms.values()
    }
    (topic_id,) = topics
    assert "KmsMasterKeyId" in synth.props(topic_id)
    policies = [
        p["Properties"]
        for p in resources_of(synth, "AWS::SNS::TopicPolicy").values()
        if {"Ref": topic_id} in p["Properties"]["Topics"]
    ]
    (policy,) = policies
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["PolicyDocument"]["Statement"]
    )
    assert not [
        s for s in resources_of(synth, "AWS::SNS::Subscription").values() if s["Properties"]["Protocol"] == "email"
    ]
    (mail,) = [
        s for s in resources_of(prod, "AWS::SNS::Subscription").values() if s["Properties"]["Protocol"] == "email"
    ]
    assert mail["Properties"]["Endpoint"] == "operaciones@example.gov.co"
    (dashboard,) = resources_of(synth, "AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == f"sat-ccf-{stage}-operations"
