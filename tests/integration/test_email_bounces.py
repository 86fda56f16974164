"""SES bounce and complaint events (decision 0072) through the real delivery function on moto: permanent
bounces and complaints suppress the address (an item in the main table), the next e-mail to it is not sent,
a transient bounce suppresses nothing, and other addresses are unaffected."""

from __future__ import annotations

import json

import boto3

from sat_common import email_status
from tests.integration import test_delivery_worker
from tests.integration.test_delivery_worker import message, sqs_event

ses = test_delivery_worker.ses  # the fixture: SES identity, the welcome template, a fresh idempotency store


def ses_event(kind: str, address: str, bounce_type: str = "Permanent") -> str:
    """The JSON SES publishes for a configuration set (raw SNS delivery puts it on the queue as is)."""
    mail = {"timestamp": "2026-12-01T10:00:00.000Z", "messageId": "0100018c-example", "destination": [address]}
    if kind == "Bounce":
        detail = {
            "bounce": {
                "bounceType": bounce_type,
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1", "action": "failed"}],
                "timestamp": "2026-12-01T10:00:01.000Z",
                "feedbackId": "feedback-bounce",
            }
        }
    else:
        detail = {
            "complaint": {
                "complainedRecipients": [{"emailAddress": address}],
                "timestamp": "2026-12-01T10:00:02.000Z",
                "feedbackId": "feedback-complaint",
            }
        }
    return json.dumps({"eventType": kind, "mail": mail, **detail})


def _sent(ses_client) -> int:
    return int(ses_client.get_send_quota()["SentLast24Hours"])


def test_a_permanent_bounce_suppresses_the_address_and_the_next_mail_is_not_sent(ses, lambda_context):
    from delivery.handler import lambda_handler

    result = lambda_handler(sqs_event(ses_event("Bounce", "Rebota@Example.com")), lambda_context)
    assert result == {"batchItemFailures": []}
    assert email_status.status_of("main", "rebota@example.com") == "BOUNCED"  # case-insensitive
    item = boto3.resource("dynamodb").Table("main").get_item(Key=email_status.suppression_key("rebota@example.com"))
    assert item["Item"]["since"] == "2026-12-01T10:00:01.000Z"

    assert lambda_handler(sqs_event(message(to="rebota@example.com")), lambda_context) == {"batchItemFailures": []}
    assert _sent(ses) == 0  # dropped, not retried
    lambda_handler(sqs_event(message(to="otra@example.com")), lambda_context)
    assert _sent(ses) == 1  # everyone else still gets their mail


def test_a_complaint_suppresses_a_transient_bounce_does_not(ses, lambda_context):
    from delivery.handler import lambda_handler

    event = sqs_event(
        ses_event("Complaint", "queja@example.com"), ses_event("Bounce", "llena@example.com", "Transient")
    )
    assert lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    assert email_status.status_of("main", "queja@example.com") == "COMPLAINED"
    assert email_status.status_of("main", "llena@example.com") == "OK"
    lambda_handler(sqs_event(message(to="llena@example.com")), lambda_context)
    assert _sent(ses) == 1


def test_a_redelivered_event_keeps_the_first_date(ses, lambda_context):
    from delivery.handler import lambda_handler

    body = ses_event("Bounce", "dos@example.com")
    lambda_handler(sqs_event(body), lambda_context)
    later = json.loads(body)
    later["bounce"]["timestamp"] = "2026-12-02T00:00:00.000Z"
    lambda_handler(sqs_event(json.dumps(later)), lambda_context)
    item = boto3.resource("dynamodb").Table("main").get_item(Key=email_status.suppression_key("dos@example.com"))
    assert item["Item"]["since"] == "2026-12-01T10:00:01.000Z" and item["Item"]["status"] == "BOUNCED"


# ----------------------------------------------------------------------------- GET /me shows it to the person
from tests.integration.test_registration_flow import aws_resources, call  # noqa: E402,F401 (fixture "aws")


def _me(lang: str | None = None):
    claims = {"cognito:username": "CC-1020304050", "email": "persona.rebote@example.com", "sub": "s-1"}
    return call("GET", "/me", headers={"Accept-Language": lang} if lang else None, claims=claims)


def test_me_says_the_address_bounced_and_what_to_do(aws):
    ok = _me()
    assert ok.status == 200, ok
    assert (ok.json["emailStatus"], ok.json["emailStatusMessage"]) == ("OK", None)

    email_status.record("main", "Persona.Rebote@example.com", email_status.BOUNCED, "2026-12-01T10:00:01Z", "f-1")
    bounced = _me()
    assert bounced.json["emailStatus"] == "BOUNCED"
    assert bounced.json["emailStatusMessage"].startswith("Su correo rebotó: actualícelo")
    assert _me("en").json["emailStatusMessage"].startswith("Your e-mail bounced: update it")
