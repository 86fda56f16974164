"""Outbound e-mail goes through the outbox queue, so an SES outage delays a message but never loses it.

Producers call enqueue_email(); the delivery function sends each message with an SES template.
"""

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from sat_common import aws

EmailTemplate = Literal[
    "welcome",
    "lockout-notice",
    "delegate-invitation",
    "employer-confirmation",
    "authorization-notice",
    "consumer-password-changed",
    "rut-review-result",
    "tramite-result",
    # a CCF's secrets and tokens (decisions 0041, 0054)
    "shared-service-changed",
    "authorization-revoked",
    # python -m ops bootstrap (decision 0070) and POST /admin/operators (decision 0090)
    "operator-invitation",
    # the help desk's unlock (decision 0091)
    "unlock-notice",
    # an account was registered with the person's document (decision 0026)
    "registration-notice",
    # the portal's password reset and e-mail change (decisions 0075, 0076)
    "password-reset",
    "email-change",
    "email-changed",
    # trámite notifications that were not delivered (decisions 0105, 0106)
    "notification-failed",
    "notification-endpoint-disabled",
    "notification-service-missing",
]


class OutboxEmail(BaseModel):
    # defer_build: EmailStr imports email_validator when the schema is built; on the first e-mail, not at cold
    # start (docs/decisions/0116).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    kind: Literal["email"] = "email"
    id: str = Field(min_length=8, max_length=200, description="idempotency key: one e-mail per id")
    template: EmailTemplate
    to: EmailStr
    data: dict[str, str]


def enqueue_email(queue_url: str, message: OutboxEmail) -> None:
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=message.model_dump_json())


def send_email(sender: str, template_prefix: str, message: OutboxEmail) -> str:
    response = aws.client("ses").send_templated_email(
        Source=sender,
        Destination={"ToAddresses": [message.to]},
        Template=template_prefix + message.template,
        TemplateData=json.dumps(message.data, ensure_ascii=False),
    )
    return str(response["MessageId"])
