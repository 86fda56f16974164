"""E-mail: the SES sender identity and the SES templates the flows send.

Template texts live in infra/email_templates/<key>/ (subject.txt, body.html, body.txt).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct

from infra.config import StageConfig

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "email_templates"
TEMPLATE_KEYS: tuple[str, ...] = (
    "welcome",
    "lockout-notice",
    "delegate-invitation",
    "employer-confirmation",
    "authorization-notice",
    "consumer-password-changed",
    "rut-review-result",
    "tramite-result",
)


def read_template(key: str) -> tuple[str, str, str]:
    """(subject, html, text) of one template, from its files."""
    folder = TEMPLATES_DIR / key
    subject = (folder / "subject.txt").read_text(encoding="utf-8").strip().splitlines()[0]
    html = (folder / "body.html").read_text(encoding="utf-8")
    text = (folder / "body.txt").read_text(encoding="utf-8")
    return subject, html, text


def _logical_suffix(key: str) -> str:
    return "".join(part.capitalize() for part in key.split("-"))


class Email(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.sender_email = config.sender_email
        self.template_prefix = config.email_template_prefix
        self.identity = ses.EmailIdentity(self, "SenderIdentity", identity=ses.Identity.email(config.sender_email))
        self.templates: dict[str, ses.CfnTemplate] = {}
        for key in TEMPLATE_KEYS:
            subject, html, text = read_template(key)
            self.templates[key] = ses.CfnTemplate(
                self,
                f"Template{_logical_suffix(key)}",
                template=ses.CfnTemplate.TemplateProperty(
                    template_name=f"{self.template_prefix}{key}",
                    subject_part=subject,
                    html_part=html,
                    text_part=text,
                ),
            )

    def grant_send_templated(self, grantee: iam.IGrantable) -> None:
        """ses:SendTemplatedEmail from the sender identity with this stage's templates only."""
        stack = Stack.of(self)
        identity_arn = stack.format_arn(
            service="ses",
            resource="identity",
            resource_name=self.sender_email,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        template_arns = [
            stack.format_arn(
                service="ses",
                resource="template",
                resource_name=f"{self.template_prefix}{key}",
                arn_format=ArnFormat.SLASH_RESOURCE_NAME,
            )
            for key in TEMPLATE_KEYS
        ]
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendTemplatedEmail"],
                resources=[identity_arn, *template_arns],
                conditions={"StringEquals": {"ses:FromAddress": self.sender_email}},
            )
        )
