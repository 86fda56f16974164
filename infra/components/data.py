"""Data stores: the DynamoDB tables (main, reference, audit) and the RUT uploads bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.components.common import cmk
from infra.config import StageConfig

PK = dynamodb.Attribute(name="PK", type=dynamodb.AttributeType.STRING)
SK = dynamodb.Attribute(name="SK", type=dynamodb.AttributeType.STRING)
# Audit table index -> its partition attribute (layers/common/python/sat_common/audit.py writes them).
AUDIT_INDEXES = {"ByNit": "nitKey", "ByAction": "action", "ByActor": "actorDoc", "BySubject": "subjectDoc"}


class Data(Construct):
    """Tables and the RUT bucket, all encrypted with one customer-managed key (`key`)."""

    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.key: kms.Key = cmk(
            self,
            "DataKey",
            alias=f"alias/{config.prefix}-data",
            description=f"SAT-CCF {config.stage}: DynamoDB tables and RUT uploads",
        )

        def table(id_: str, name: str) -> dynamodb.Table:
            return dynamodb.Table(
                self,
                id_,
                table_name=f"{config.prefix}-{name}",
                partition_key=PK,
                sort_key=SK,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=self.key,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                deletion_protection=True,
                removal_policy=RemovalPolicy.RETAIN,
                time_to_live_attribute="expiresAt" if name == "main" else None,
            )

        self.main_table = table("MainTable", "main")
        for index in ("GSI1", "GSI2"):
            self.main_table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(name=f"{index}PK", type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name=f"{index}SK", type=dynamodb.AttributeType.STRING),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        self.reference_table = table("ReferenceTable", "reference")
        self.audit_table = table("AuditTable", "audit")
        # The audit search (decision 0095): each index partitions by one filter and sorts by the entry's own
        # SK (`<iso>#<id>`), so a time range is a key condition; sat_common.audit writes the attributes.
        for index, attribute in AUDIT_INDEXES.items():
            self.audit_table.add_global_secondary_index(
                index_name=index,
                partition_key=dynamodb.Attribute(name=attribute, type=dynamodb.AttributeType.STRING),
                sort_key=SK,
                projection_type=dynamodb.ProjectionType.ALL,
            )

        self.log_bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            # S3 server access logging delivers only to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(365),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.rut_bucket = s3.Bucket(
            self,
            "RutBucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=Duration.days(90),
                    expired_object_delete_marker=True,
                ),
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
            ],
            server_access_logs_bucket=self.log_bucket,
            server_access_logs_prefix="rut-bucket/",
            # The portal's browser posts the RUT straight to S3 with the presigned POST (decision 0031):
            # only the portal's origins, only POST.
            cors=[
                s3.CorsRule(
                    id="portal-rut-upload",
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=list(config.cors_allowed_origins),
                    allowed_headers=["*"],
                    max_age=600,
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
