"""E-mail: the SES sender identity, the SES templates the flows send, and what production needs
(docs/decisions/0072-ses-production.md): a domain identity with DKIM (context `sesDomain`, DNS records in
`sesHostedZoneId` when given), a configuration set with SES's suppression list, and its bounce and complaint
events (SNS -> SQS, + DLQ) read by the delivery function, which keeps the addresses it must not write to.

Template texts live in infra/email_templates/<key>/ (subject.txt, body.html, body.txt).
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, Aws, CfnOutput, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.components.common import cmk, queue_with_dlq
from infra.config import StageConfig

# Bounce and complaint events: a few per batch, retried a few times before the DLQ (its alarm: monitoring.py).
EVENTS_MAX_RECEIVE_COUNT = 5
EVENTS_VISIBILITY_TIMEOUT = Duration.seconds(180)  # >= 6 x the delivery function's 30 s

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
    "shared-service-changed",
    "authorization-revoked",
    "operator-invitation",  # python -m ops bootstrap, POST /admin/operators: a Ministry operator (0070, 0090)
    "unlock-notice",  # the help desk unlocked registration and sign-in (decision 0091)
    "registration-notice",  # an account was registered with the person's document (decision 0026)
    "password-reset",  # "¿Olvidó su contraseña?" (decision 0075)
    "email-change",  # confirm a new e-mail address, sent to it (decision 0076)
    "email-changed",  # the account's e-mail changed, sent to the old one (decision 0076)
    "notification-failed",  # a trámite notification gave up: FALLIDA (decision 0105)
    "notification-endpoint-disabled",  # a CCF's notification endpoint was disabled (decision 0105)
    "notification-service-missing",  # a trámite for a CCF with no ACTIVE notification service (decision 0106)
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
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"{config.prefix}-email",
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,  # SES's own list, on top of ours
        )
        # The identity SES authorizes a send against: the domain in production, the single address otherwise.
        self.identity_name = config.ses_domain or config.sender_email
        if config.ses_domain is None:
            self.identity = ses.EmailIdentity(
                self,
                "SenderIdentity",
                identity=ses.Identity.email(config.sender_email),
                configuration_set=self.configuration_set,
            )
        else:
            if config.ses_hosted_zone_id:  # the three DKIM CNAMEs are created in the zone
                zone = route53.PublicHostedZone.from_public_hosted_zone_attributes(
                    self, "Zone", hosted_zone_id=config.ses_hosted_zone_id, zone_name=config.ses_domain
                )
                identity = ses.Identity.public_hosted_zone(zone)
            else:
                identity = ses.Identity.domain(config.ses_domain)
            self.identity = ses.EmailIdentity(
                self,
                "DomainIdentity",
                identity=identity,
                configuration_set=self.configuration_set,
                dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
            )
            if not config.ses_hosted_zone_id:  # the operator creates them in the domain's DNS (docs/deploy.md)
                for number, record in enumerate(self.identity.dkim_records, 1):
                    CfnOutput(self, f"DkimRecord{number}", value=f"{record.name} CNAME {record.value}")
        self._events(config)
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

    def _events(self, config: StageConfig) -> None:
        """Bounce and complaint events of the configuration set -> SNS topic -> SQS queue (+ DLQ).

        Two keys: the queues' key policy names the topic (SNS may encrypt to them only for it), so one key for
        both would be a dependency cycle."""
        self.events_topic_key = cmk(
            self,
            "EventsTopicKey",
            alias=f"alias/{config.prefix}-email-events-topic",
            description=f"SAT-CCF {config.stage}: topic of the SES bounce and complaint events",
        )
        self.events_topic_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesPublishesEmailEvents",
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["kms:GenerateDataKey*", "kms:Decrypt"],
                resources=["*"],  # in a key policy, "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        self.events_topic = sns.Topic(
            self,
            "EventsTopic",
            display_name=f"{config.prefix} SES bounces and complaints",
            master_key=self.events_topic_key,
            enforce_ssl=True,
        )
        self.events_key = cmk(
            self,
            "EventsQueueKey",
            alias=f"alias/{config.prefix}-email-events",
            description=f"SAT-CCF {config.stage}: queue of the SES bounce and complaint events and its DLQ",
        )
        self.events_queue, self.events_dead_letter_queue = queue_with_dlq(
            self,
            name=f"{config.prefix}-email-events",
            key=self.events_key,
            visibility_timeout=EVENTS_VISIBILITY_TIMEOUT,
            max_receive_count=EVENTS_MAX_RECEIVE_COUNT,
            retention_days=14,
            queue_id="EventsQueue",
        )
        # Events SNS cannot deliver to the queue go to the same DLQ (its alarm: monitoring.py); the subscription
        # lets only this topic send to both queues and use their key.
        self.events_topic.add_subscription(
            subscriptions.SqsSubscription(
                self.events_queue, raw_message_delivery=True, dead_letter_queue=self.events_dead_letter_queue
            )  # raw: the queue gets the SES event itself
        )
        self.configuration_set.add_event_destination(
            "BouncesAndComplaints",
            destination=ses.EventDestination.sns_topic(self.events_topic),
            events=[ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
        )

    def attach_event_consumer(self, function: lambda_.Function) -> None:
        """The delivery function reads the events and records which addresses must not be written to."""
        function.add_event_source(
            sources.SqsEventSource(
                self.events_queue,
                batch_size=10,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
            )
        )

    def grant_send_templated(self, grantee: iam.IGrantable) -> None:
        """ses:SendTemplatedEmail from the sender identity with this stage's templates only (and the
        configuration set the identity applies to every send)."""
        stack = Stack.of(self)
        identity_arn = stack.format_arn(
            service="ses",
            resource="identity",
            resource_name=self.identity_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        configuration_set_arn = stack.format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
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
                resources=[identity_arn, configuration_set_arn, *template_arns],
                conditions={"StringEquals": {"ses:FromAddress": self.sender_email}},
            )
        )
