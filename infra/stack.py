"""The single stack `SatCcf-<stage>` (docs/decisions/0005-single-stack.md)."""

from __future__ import annotations

from typing import Any

from aws_cdk import AspectPriority, Aspects, CfnOutput, Stack, Tags
from constructs import Construct

from infra.api_routes import QUEUE_FUNCTIONS, ROUTES
from infra.components.api import Api
from infra.components.data import Data
from infra.components.delivery import Delivery
from infra.components.email import Email
from infra.components.functions import Functions, Resources
from infra.components.identity import Identity
from infra.components.layers import Layers
from infra.components.monitoring import Monitoring, Watched
from infra.components.notifications import Notifications
from infra.components.portal import Portal
from infra.components.rut_uploads import RutUploads
from infra.components.secrets import SharedServiceSecrets
from infra.components.waf import PortalWaf, Waf
from infra.config import StageConfig
from infra.retention import RetainExceptOnCreate

PUBLIC_URL_FUNCTIONS = ("catalog", "exchange", "oauth", "ccf_authorizer")  # oauth, authorizer: the issuer (0100)
# API functions that believe the person's address the portal forwards with its key (decision 0080)
# the APIs behind the portal's pages (audit, evidence and lockouts name the person); others as their pages come
# catalog, share: manual §6; exchange (trámites) and backoffice (audit search): the /ministerio pages, 0094-0095
PORTAL_FORWARDED_FUNCTIONS: tuple[str, ...] = (
    "registration",
    "delegation",
    "catalog",
    "share",
    "exchange",
    "backoffice",
)


def stack_name(stage: str) -> str:
    return f"SatCcf-{stage}"


class SatCcfStack(Stack):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            id_,
            description=f"SAT-CCF servicios web externos ({config.stage})",
            termination_protection=config.termination_protection,
            **kwargs,
        )
        Aspects.of(self).add(RetainExceptOnCreate(), priority=AspectPriority.MUTATING)  # decision 0074
        Tags.of(self).add("project", "sat-ccf")
        Tags.of(self).add("stage", config.stage)
        self.config = config

        self.data = Data(self, "Data", config=config)
        self.identity = Identity(self, "Identity", config=config)
        self.email = Email(self, "Email", config=config)
        self.secrets = SharedServiceSecrets(self, "Secrets", config=config)
        self.delivery = Delivery(self, "Delivery", config=config)
        self.notifications = Notifications(self, "Notifications", config=config)  # decision 0062
        self.layers = Layers(self, "Layers", config=config)
        self.functions = Functions(
            self,
            "Functions",
            config=config,
            layers=self.layers,
            resources=Resources(
                config=config,
                data=self.data,
                identity=self.identity,
                email=self.email,
                delivery=self.delivery,
                secrets=self.secrets,
                notifications=self.notifications,
            ),
        )
        queues = {"notifications": self.notifications}  # every other queue function reads the outbox
        for area in QUEUE_FUNCTIONS:
            queues.get(area, self.delivery).attach_consumer(self.functions.functions[area])
        # S3 notifications of RUT uploads -> queue -> the delegation function's upload check
        self.rut_uploads = RutUploads(self, "RutUploads", config=config, bucket=self.data.rut_bucket)
        self.rut_uploads.attach_consumer(self.functions.functions["delegation"])
        self.api = Api(
            self,
            "Api",
            config=config,
            routes=ROUTES,
            functions=self.functions.functions,
            people_pool=self.identity.people_pool,
        )
        # URLs handed to CCF systems (token URL, endpoints, Swagger's server, a trámite's pull URL) are built from
        # configuration, never from a request's Host header (decision 0054).
        for area in PUBLIC_URL_FUNCTIONS:
            self.functions.functions[area].add_environment("PUBLIC_API_BASE_URL", self.api.base_url)
        # The portal: its own REST API, calling the API over HTTP (decision 0080)
        self.portal = Portal(
            self, "Portal", config=config, layers=self.layers, data=self.data, api_base_url=self.api.base_url
        )
        # Each stage behind its own web ACL; the API counts the portal's calls per person (decisions 0087, 0088)
        self.waf = Waf(
            self,
            "Waf",
            config=config,
            stage=self.api.rest_api.deployment_stage,
            portal_key=self.portal.forwarding_secret,
        )
        self.portal_waf = PortalWaf(self, "PortalWaf", config=config, stage=self.portal.rest_api.deployment_stage)
        for area in PORTAL_FORWARDED_FUNCTIONS:
            for key, value in self.portal.grant_forwarding_read(self.functions.roles[area]).items():
                self.functions.functions[area].add_environment(key, value)
        # SES bounce and complaint events -> the delivery function (decision 0072)
        self.email.attach_event_consumer(self.functions.functions["delivery"])
        self.monitoring = Monitoring(  # decision 0073
            self,
            "Monitoring",
            config=config,
            watched=Watched(
                functions=self.functions.functions,
                dead_letter_queues={
                    "outbox": self.delivery.dead_letter_queue,
                    "tramite-notifications": self.notifications.dead_letter_queue,
                    "rut-uploads": self.rut_uploads.dead_letter_queue,
                    "email-events": self.email.events_dead_letter_queue,
                },
                rest_api=self.api.rest_api,
                web_acl=self.waf.web_acl,
                portal_function=self.portal.function,
                portal_rest_api=self.portal.rest_api,
                portal_web_acl=self.portal_waf.web_acl,
            ),
        )

        outputs = {
            "ApiUrl": self.api.rest_api.url,
            "PortalUrl": self.portal.rest_api.url,
            "PeopleUserPoolId": self.identity.people_pool.user_pool_id,
            "PeopleUserPoolClientId": self.identity.web_client.user_pool_client_id,
            "ClientsUserPoolId": self.identity.clients_pool.user_pool_id,
            "MainTableName": self.data.main_table.table_name,
            "ReferenceTableName": self.data.reference_table.table_name,
            "AuditTableName": self.data.audit_table.table_name,
            "RutBucketName": self.data.rut_bucket.bucket_name,
            "OutboxQueueUrl": self.delivery.queue.queue_url,
            "OutboxDeadLetterQueueUrl": self.delivery.dead_letter_queue.queue_url,
            "NotificationQueueUrl": self.notifications.queue.queue_url,
            "NotificationDeadLetterQueueUrl": self.notifications.dead_letter_queue.queue_url,
            "NotificationSigningAlias": self.notifications.signing_alias_base,  # ops signing-key (decision 0104)
            "SecretsPrefix": self.secrets.prefix,
            "SecretsKmsKeyArn": self.secrets.key.key_arn,
            # What `python -m ops` reads (ops/stack.py) besides the names above
            "Stage": config.stage,
            "PortalBaseUrl": config.portal_base_url,
            "EmailEventsQueueUrl": self.email.events_queue.queue_url,
            "EmailEventsDeadLetterQueueUrl": self.email.events_dead_letter_queue.queue_url,
            "RutUploadsQueueUrl": self.rut_uploads.queue.queue_url,
            "RutUploadsDeadLetterQueueUrl": self.rut_uploads.dead_letter_queue.queue_url,
            "AlarmTopicArn": self.monitoring.topic.topic_arn,
            "DashboardName": self.monitoring.dashboard.dashboard_name,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
