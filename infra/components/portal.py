"""The portal (decision 0080): one Lambda function serving server-rendered pages behind its own REST API.

The function holds no rule of its own: it calls the project's API over HTTP with the person's ID token.
It may touch only its sessions (main-table items `PORTAL_SESSION#...`), its own KMS key (the tokens inside
them) and the forwarding key it presents to the API (X-Portal-Key).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, SymlinkFollowMode
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.components.common import cmk, retention
from infra.components.data import Data
from infra.components.layers import ARCHITECTURE, RUNTIME, Layers
from infra.components.portal_errors import add_error_pages
from infra.config import REPO_ROOT, StageConfig

FUNCTIONS_DIR = REPO_ROOT / "functions"
AREA = "portal"
SESSION_PREFIX = "PORTAL_SESSION#"  # functions/portal/sessions.py PREFIX
PAGE_METHODS = ("GET", "POST")


class Portal(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, config: StageConfig, layers: Layers, data: Data, api_base_url: str
    ) -> None:
        super().__init__(scope, id_)
        region = Stack.of(self).region
        self.session_key = cmk(
            self,
            "SessionKey",
            alias=f"alias/{config.prefix}-portal-sessions",
            description=f"SAT-CCF {config.stage}: the tokens inside the portal's server-side sessions",
        )
        # Sent by the portal with every API call; the API believes X-Portal-Client-Ip only next to it.
        self.forwarding_secret = secretsmanager.Secret(
            self,
            "ForwardingKey",
            secret_name=f"{config.prefix}/portal/forwarding-key",
            description="Shared key the portal presents to the API to forward the person's address (decision 0080)",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=48),
            removal_policy=RemovalPolicy.RETAIN,
        )
        name = f"{config.prefix}-{AREA}"
        log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=f"/aws/lambda/{name}",
            retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {name} (its own, least privilege)",
        )
        log_group.grant_write(self.role)
        table = data.main_table
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                resources=[table.table_arn],
                # its own items only
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{SESSION_PREFIX}*"]}},
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[data.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{region}.amazonaws.com"}},
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Encrypt", "kms:Decrypt"], resources=[self.session_key.key_arn])
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[self.forwarding_secret.secret_arn]
            )
        )
        area_dirs = sorted(p.name for p in FUNCTIONS_DIR.iterdir() if p.is_dir())
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=name,
            description="The portal: server-rendered pages in Spanish over the API (decision 0080)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=f"{AREA}.handler.lambda_handler",
            code=lambda_.Code.from_asset(
                str(FUNCTIONS_DIR),
                exclude=[d for d in area_dirs if d != AREA] + ["**/__pycache__", "**/*.pyc", "**/node_modules"],
                # portal/guia/ links docs/guia-servicios-web.md and examples/guide/: one source, copied here
                follow_symlinks=SymlinkFollowMode.ALWAYS,
            ),
            layers=layers.all,
            role=self.role,
            memory_size=512,
            timeout=Duration.seconds(20),  # above the API client's 8 s per call; a page makes at most two calls
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            environment={
                "STAGE": config.stage,
                "MAIN_TABLE_NAME": table.table_name,
                "PORTAL_SESSION_KEY_ID": self.session_key.key_id,
                "PORTAL_FORWARDING_SECRET_ARN": self.forwarding_secret.secret_arn,
                "PUBLIC_API_BASE_URL": api_base_url,
            },
        )
        self.access_log_group = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{config.prefix}-portal/access",
            retention=retention(config.log_retention_days),
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.rest_api = apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=f"{config.prefix}-portal",
            description="SAT - portal Mi Seguridad Social (páginas)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # fonts are binary; the function answers base64 and API Gateway decodes it for any Accept
            binary_media_types=["*/*"],
            cloud_watch_role=False,  # the API's construct sets up the account-level role
            deploy_options=apigw.StageOptions(
                stage_name=config.stage,
                throttling_rate_limit=config.api_throttling_rate_limit,
                throttling_burst_limit=config.api_throttling_burst_limit,
                access_log_destination=apigw.LogGroupLogDestination(self.access_log_group),
                # resourcePath, never the path with its query (the set-password link carries a token)
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
            ),
        )
        # API Gateway's own errors (WAF block, throttling, ...) as Spanish pages, not JSON (decision 0088)
        add_error_pages(self.rest_api)
        integration = apigw.LambdaIntegration(self.function, proxy=True, allow_test_invoke=False)
        proxy = self.rest_api.root.add_resource("{proxy+}")
        self.methods: list[apigw.Method] = []
        for resource in (self.rest_api.root, proxy):
            for method in PAGE_METHODS:
                # no authorizer: the pages check the session themselves, and the API checks the ID token
                self.methods.append(
                    resource.add_method(method, integration, authorization_type=apigw.AuthorizationType.NONE)
                )

    def grant_forwarding_read(self, role: iam.IRole) -> dict[str, str]:
        """For an API function: read the forwarding key to check X-Portal-Key (sat_common.auth)."""
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[self.forwarding_secret.secret_arn]
            )
        )
        return {"PORTAL_FORWARDING_SECRET_ARN": self.forwarding_secret.secret_arn}
