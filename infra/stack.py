"""The single stack `SatCcf-<stage>` (docs/decisions/0005-single-stack.md)."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra.api_routes import QUEUE_FUNCTIONS, ROUTES
from infra.components.api import Api
from infra.components.data import Data
from infra.components.delivery import Delivery
from infra.components.email import Email
from infra.components.functions import Functions, Resources
from infra.components.identity import Identity
from infra.components.layers import Layers
from infra.components.notifications import Notifications
from infra.components.rut_uploads import RutUploads
from infra.components.secrets import SharedServiceSecrets
from infra.components.waf import Waf
from infra.config import StageConfig


def stack_name(stage: str) -> str:
    return f"SatCcf-{stage}"


class SatCcfStack(Stack):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(scope, id_, description=f"SAT-CCF servicios web externos ({config.stage})", **kwargs)
        Tags.of(self).add("project", "sat-ccf")
        Tags.of(self).add("stage", config.stage)
        self.config = config

        self.data = Data(self, "Data", config=config)
        self.identity = Identity(self, "Identity", config=config)
        self.email = Email(self, "Email", config=config)
        self.secrets = SharedServiceSecrets(self, "Secrets", config=config)
        self.delivery = Delivery(self, "Delivery", config=config)
        self.notifications = Notifications(self, "Notifications", config=config)  # issue 6: trámite notifications
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
        # issue 4: S3 notifications of RUT uploads -> queue -> the delegation function's upload check
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
        self.waf = Waf(self, "Waf", config=config, stage=self.api.rest_api.deployment_stage)

        outputs = {
            "ApiUrl": self.api.rest_api.url,
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
            "SecretsPrefix": self.secrets.prefix,
            "SecretsKmsKeyArn": self.secrets.key.key_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
