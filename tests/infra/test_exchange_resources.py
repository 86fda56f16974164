"""The exchange's resources (decision 0062): the notifications queue/DLQ, its worker's mapping, the signing key
and least privilege."""

import json
from typing import Any

from infra_synth import Synth


def _function(synth: Synth, area: str) -> dict[str, Any]:
    name = f"sat-ccf-{synth.context['stage']}-{area}"
    (props,) = [
        r["Properties"]
        for r in synth.of_type("AWS::Lambda::Function").values()
        if r["Properties"]["FunctionName"] == name
    ]
    return props


def _actions(synth: Synth, area: str) -> dict[str, list[Any]]:
    role = _function(synth, area)["Role"]["Fn::GetAtt"][0]
    found: dict[str, list[Any]] = {}
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                for action in actions:
                    found.setdefault(action, []).append(statement["Resource"])
    return found


def test_queue_dlq_and_mapping(synth: Synth) -> None:
    stage = synth.context["stage"]
    queues = {q["Properties"]["QueueName"]: q["Properties"] for q in synth.of_type("AWS::SQS::Queue").values()}
    queue = queues[f"sat-ccf-{stage}-tramite-notifications"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 50 and queue["VisibilityTimeout"] == 360
    assert queue["MessageRetentionPeriod"] == 14 * 86400  # longer than the longest schedule (decision 0105)
    assert f"sat-ccf-{stage}-tramite-notifications-dlq" in queues
    worker = _function(synth, "notifications")
    mappings = [m["Properties"] for m in synth.of_type("AWS::Lambda::EventSourceMapping").values()]
    (mapping,) = [m for m in mappings if m["FunctionName"]["Ref"].startswith("FunctionsNotificationsFunction")]
    assert mapping["BatchSize"] == 1 and mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = worker["Environment"]["Variables"]
    assert env["NOTIFICATION_MAX_RECEIVES"] == "50" and "ALLOW_LOOPBACK_URLS" not in env
    # The schedule lasts at least 24 h (product.md "Signed notifications"), from cdk.json notificationRetry.
    assert int(env["NOTIFICATION_RETRY_WINDOW_SECONDS"]) >= 24 * 3600
    assert json.loads(env["NOTIFICATION_RETRY_STEPS_SECONDS"])[-1] == 43_200
    assert int(env["NOTIFICATION_DISABLE_AFTER_SECONDS"]) == 3 * 86400 and env["PEOPLE_USER_POOL_ID"]


def test_signing_key_is_asymmetric_and_only_the_worker_signs(synth: Synth) -> None:
    keys = [k["Properties"] for k in synth.of_type("AWS::KMS::Key").values()]
    assert (
        sum(1 for k in keys if "notification signing" in k["Description"] and k["KeyUsage"] == "SIGN_VERIFY") == 2
    )  # current and next (decision 0104)
    worker, exchange = _actions(synth, "notifications"), _actions(synth, "exchange")
    assert "kms:Sign" in worker and "kms:Sign" not in exchange
    assert "kms:GetPublicKey" in exchange
    for actions in (worker, exchange):
        assert "secretsmanager:GetSecretValue" in actions
        assert not {a for a in actions if a in ("secretsmanager:PutSecretValue", "secretsmanager:CreateSecret")}
    assert "ses:SendTemplatedEmail" not in worker and "kms:Sign" not in _actions(synth, "delivery")
    assert "sqs:SendMessage" in exchange and "sqs:ChangeMessageVisibility" in worker
