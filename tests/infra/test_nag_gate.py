"""The cdk-nag gate: a finding that is not acknowledged makes synthesis fail."""

from __future__ import annotations

import pytest
from aws_cdk import Acknowledgment, App, Duration, Stack, Validations
from aws_cdk import aws_sqs as sqs
from cdk_nag import AwsSolutionsChecks, ServerlessChecks


def _tiny_app(tmp_path, *, acknowledge: bool) -> App:  # type: ignore[no-untyped-def]
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "NagGate")
    dlq = sqs.Queue(stack, "Dlq", enforce_ssl=True, retention_period=Duration.days(14))
    queue = sqs.Queue(  # SSE-SQS, not a CMK; no SSL-only policy: AwsSolutions-SQS4
        stack, "Unencrypted", dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=5)
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), ServerlessChecks(app))
    Validations.of(dlq).acknowledge(Acknowledgment(id="Serverless-SQSRedrivePolicy", reason="it is the DLQ"))
    if acknowledge:
        Validations.of(queue).acknowledge(Acknowledgment(id="AwsSolutions-SQS4", reason="test of the gate"))
    return app


def test_unacknowledged_finding_fails_synth(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS4"):
        _tiny_app(tmp_path, acknowledge=False).synth()


def test_acknowledged_finding_passes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _tiny_app(tmp_path, acknowledge=True).synth()
