"""The outbox worker on moto: sends with the SES template, once per message id, failures reported per record."""

import json
import os
import uuid

import boto3
import pytest

from tests.integration.conftest import create_table

os.environ.setdefault("SENDER_EMAIL", "no-responder@sat-ccf.example.org")
os.environ.setdefault("EMAIL_TEMPLATE_PREFIX", "sat-ccf-test-")
os.environ.setdefault("MAIN_TABLE_NAME", "main")


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "rh",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:outbox",
                "awsRegion": "us-east-1",
            }
            for body in bodies
        ]
    }


def message(to: str = "persona@example.com", message_id: str | None = None) -> str:
    return json.dumps(
        {
            "kind": "email",
            "id": message_id or f"welcome-{uuid.uuid4()}",
            "template": "welcome",
            "to": to,
            "data": {"nombre": "Ana Pérez", "enlace": "https://portal.example/asignar-contrasena?token=abc"},
        }
    )


@pytest.fixture
def ses(moto):
    create_table("main")
    client = boto3.client("ses")
    client.verify_email_identity(EmailAddress="no-responder@sat-ccf.example.org")
    client.create_template(
        Template={
            "TemplateName": "sat-ccf-test-welcome",
            "SubjectPart": "Bienvenido, {{nombre}}",
            "TextPart": "Asigne su contraseña: {{enlace}}",
            "HtmlPart": "<p>Asigne su contraseña: <a href='{{enlace}}'>enlace</a></p>",
        }
    )
    from delivery import handler

    handler._send_once.cache_clear()  # the idempotency store holds a client of the previous mock
    return client


def test_sends_and_reports_no_failure(ses, lambda_context):
    from delivery.handler import lambda_handler

    result = lambda_handler(sqs_event(message()), lambda_context)
    assert result == {"batchItemFailures": []}
    assert ses.get_send_quota()["SentLast24Hours"] == 1


def test_redelivered_message_is_not_sent_twice(ses, lambda_context):
    from delivery.handler import lambda_handler

    body = message(message_id="welcome-once")
    lambda_handler(sqs_event(body), lambda_context)
    lambda_handler(sqs_event(body), lambda_context)
    assert ses.get_send_quota()["SentLast24Hours"] == 1


def test_only_the_failed_record_is_reported(ses, lambda_context):
    from delivery.handler import lambda_handler

    event = sqs_event(message(), "not json", message(to="otra@example.com"))
    result = lambda_handler(event, lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert ses.get_send_quota()["SentLast24Hours"] == 2


def test_ses_rejection_is_retried_and_then_sent_once(ses, lambda_context, monkeypatch):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from delivery import config, handler

    body = message(message_id="welcome-retry")
    live = config.settings()
    real_sender = live.sender_email
    monkeypatch.setattr(live, "__dict__", {**live.__dict__, "sender_email": "x@unverified.example"})
    with pytest.raises(BatchProcessingError):
        handler.lambda_handler(sqs_event(body), lambda_context)
    assert ses.get_send_quota()["SentLast24Hours"] == 0
    monkeypatch.setattr(live, "__dict__", {**live.__dict__, "sender_email": real_sender})
    assert handler.lambda_handler(sqs_event(body), lambda_context) == {"batchItemFailures": []}
    assert handler.lambda_handler(sqs_event(body), lambda_context) == {"batchItemFailures": []}
    assert ses.get_send_quota()["SentLast24Hours"] == 1


def test_a_batch_that_fails_whole_raises_so_lambda_retries_it(ses, lambda_context):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from delivery.handler import lambda_handler

    with pytest.raises(BatchProcessingError):
        lambda_handler(sqs_event("not json"), lambda_context)
