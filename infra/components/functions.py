"""One Lambda function per business area, each with its own least-privilege role.

To add an area: add its package under functions/<area>/, its routes to infra/api_routes.py (or its
name to QUEUE_FUNCTIONS) and one line to FUNCTION_SPECS naming the grants it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack, SymlinkFollowMode
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.api_routes import API_FUNCTIONS, AUTHORIZER_FUNCTIONS, QUEUE_FUNCTIONS
from infra.components.common import retention
from infra.components.data import AUDIT_INDEXES, Data
from infra.components.delivery import Delivery
from infra.components.email import Email
from infra.components.identity import Identity
from infra.components.layers import ARCHITECTURE, RUNTIME, Layers
from infra.components.notifications import Notifications
from infra.components.secrets import SharedServiceSecrets
from infra.config import REPO_ROOT, StageConfig

FUNCTIONS_DIR = REPO_ROOT / "functions"

Grant = Literal[
    "main_table_rw",  # MAIN_TABLE_NAME; read/write items and query the GSIs
    "idempotency",  # MAIN_TABLE_NAME; Get/Put/Update/DeleteItem only (idempotency records)
    "reference_read",  # REFERENCE_TABLE_NAME; read only
    "audit_append",  # AUDIT_TABLE_NAME; PutItem only
    "audit_search",  # AUDIT_TABLE_NAME; Query on the audit table and its indexes only (decision 0095)
    "people_pool",  # PEOPLE_USER_POOL_ID, PEOPLE_USER_POOL_CLIENT_ID; admin user operations and sign-in
    "mfa_secrets",  # MFA_KEY_ID; kms:Encrypt/Decrypt with the TOTP key (decision 0029)
    "ministry_check",  # PEOPLE_USER_POOL_ID; read an operator's state and groups (sat_common.ministry, 0029)
    "operators_admin",  # list operators, change their groups, disable/enable them; BatchGetItem (decision 0090)
    "clients_pool",  # CLIENTS_USER_POOL_ID; app client management
    "rut_bucket",  # RUT_BUCKET_NAME; put/get/delete objects (and versions) under rut/
    "outbox_send",  # OUTBOX_QUEUE_URL; send messages
    "send_email",  # SENDER_EMAIL, EMAIL_TEMPLATE_PREFIX, PORTAL_BASE_URL; ses:SendTemplatedEmail
    "portal_links",  # SENDER_EMAIL, PORTAL_BASE_URL (functions that build e-mail data)
    "shared_secrets",  # SECRETS_PREFIX, SECRETS_KMS_KEY_ARN; secrets under the prefix
    "main_table_read",  # MAIN_TABLE_NAME; GetItem only
    "main_table_batch_read",  # MAIN_TABLE_NAME; BatchGetItem: a route's items read together (decision 0113)
    "token_sign",  # TOKEN_SIGNING_KEY_ID; kms:Sign with the CCF access-token key (decision 0040)
    "token_verify",  # TOKEN_SIGNING_KEY_ID; kms:GetPublicKey of that key
    "shared_secrets_read",  # SECRETS_PREFIX; GetSecretValue under the prefix (decrypt via SM, those secrets only)
    "notification_send",  # NOTIFICATION_QUEUE_URL; send trámite notifications (infra/components/notifications.py)
    "notification_worker",  # NOTIFICATION_*: change visibility, dead-letter, kms:Sign/GetPublicKey (decision 0062)
    "notification_public_key",  # NOTIFICATION_SIGNING_KEY_ID; kms:GetPublicKey (the JWKS route)
    "notification_sign",  # NOTIFICATION_SIGNING_KEY_ID; kms:Sign/GetPublicKey via `current` (test notification, 0108)
    "exchange_operators",  # PEOPLE_USER_POOL_ID; ListUsersInGroup: the e-mails of a failed delivery (0105)
]


@dataclass(frozen=True)
class FunctionSpec:
    grants: tuple[Grant, ...] = ()
    memory_mb: int = 512
    timeout_seconds: int = 10
    description: str = ""


# area -> what it may touch. Keep it to what the area's code uses today.
FUNCTION_SPECS: dict[str, FunctionSpec] = {
    "catalog": FunctionSpec(
        grants=(
            "main_table_rw",
            "main_table_batch_read",
            "audit_append",
            "clients_pool",
            "outbox_send",
            "portal_links",
            "ministry_check",
        ),
        description="Health, OpenAPI, catalogs; the Ministry's service catalog and the CCF's use of it",
    ),
    "oauth": FunctionSpec(
        # verify: publishes the key (0100); batch read: a token's items in one call (0112)
        grants=("main_table_rw", "main_table_batch_read", "audit_append", "token_sign", "token_verify"),
        description="POST /oauth2/token for CCF systems (Client ID + consumer password), its metadata and JWKS, "
        "and GET /sat/session",
    ),
    "ccf_authorizer": FunctionSpec(
        grants=("main_table_batch_read", "token_verify"),  # its four items in one BatchGetItem (decision 0112)
        memory_mb=256,
        timeout_seconds=5,
        description="API Gateway TOKEN authorizer of the /sat routes (CCF access tokens)",
    ),
    "delegation": FunctionSpec(
        grants=(
            "main_table_rw",
            "main_table_batch_read",  # the caller's grant with the company (decision 0112)
            "reference_read",
            "audit_append",
            "rut_bucket",
            "outbox_send",
            "portal_links",
            "ministry_check",
        ),
        timeout_seconds=15,
        description="Employer role, delegate, RUT upload check and review, authorized persons (manual §5)",
    ),
    "registration": FunctionSpec(
        grants=(
            "main_table_rw",
            "reference_read",
            "audit_append",
            "people_pool",
            "mfa_secrets",
            "outbox_send",
            "portal_links",
            "ministry_check",  # the administrator's routes: operators and the help desk (decisions 0090, 0091)
            "operators_admin",
        ),
        description="Citizen registration (manual §5 Pasos 2-6), sessions and TOTP, /me and /me/roles, "
        "the Ministry's operators and help-desk unlock",
    ),
    "share": FunctionSpec(
        # outbox: the change notice to the CCF's other authorized persons (decision 0054)
        # notification_sign: the CCF's test notification, signed like a real one (decision 0108)
        grants=("main_table_rw", "audit_append", "shared_secrets", "outbox_send", "portal_links", "notification_sign"),
        # the connection test makes two outbound calls (token URL, then the service's URL), each within the 8 s
        # total deadline of sat_common.outbound_http (decision 0054)
        timeout_seconds=20,
        description="A CCF's shared services: metadata, credentials in Secrets Manager, connection test (manual §6)",
    ),
    # The SAT <-> CCF exchange (decisions 0060-0063)
    "exchange": FunctionSpec(
        grants=(
            "main_table_rw",
            "audit_append",
            "outbox_send",
            "portal_links",
            "notification_send",
            "notification_public_key",
            "shared_secrets_read",
            "ministry_check",
        ),
        description="Trámites (Ministry), the /sat services for CCF systems and the notification JWKS (decision 0060)",
    ),
    # The back office: the audit search, the only reader of the audit table (decision 0095)
    "backoffice": FunctionSpec(
        grants=("audit_search", "audit_append", "main_table_read", "ministry_check"),
        description="The Ministry's audit search and CSV export (read-only on the audit table)",
    ),
    "notifications": FunctionSpec(
        grants=(
            "main_table_rw",
            "audit_append",
            "notification_worker",
            "shared_secrets_read",
            "outbox_send",  # the e-mails of a failed delivery or a disabled endpoint (decision 0105)
            "portal_links",
            "exchange_operators",
        ),
        timeout_seconds=60,  # infra/components/notifications.py WORKER_TIMEOUT_SECONDS
        description="Delivers signed trámite notifications to the CCFs; fed by the notifications queue",
    ),
    "delivery": FunctionSpec(
        grants=("send_email", "idempotency"),
        timeout_seconds=30,
        description="Sends outbox messages (SES templated e-mail); fed by the outbox queue",
    ),
}

# Least privilege (docs/security.md "Least privilege of the function roles"): only the actions the code calls.
# No BatchWrite/Scan: no function writes or scans in bulk; BatchGetItem only where a route reads its few items
# together (main_table_batch_read; decisions 0090, 0113). A transaction needs the actions of its parts.
_DDB_ITEM_RW = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
)
MAIN_TABLE_INDEXES = ("GSI1", "GSI2")  # infra/components/data.py
_DDB_READ = ("dynamodb:GetItem",)  # the reference sources and the authorizer read items by key only
_KMS_DATA = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey")


@dataclass
class Resources:
    """What the functions can be granted access to."""

    config: StageConfig
    data: Data
    identity: Identity
    email: Email
    delivery: Delivery
    secrets: SharedServiceSecrets
    notifications: Notifications


class Functions(Construct):
    def __init__(
        self, scope: Construct, id_: str, *, config: StageConfig, layers: Layers, resources: Resources
    ) -> None:
        super().__init__(scope, id_)
        self._res = resources
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        areas = tuple(dict.fromkeys((*API_FUNCTIONS, *QUEUE_FUNCTIONS, *AUTHORIZER_FUNCTIONS)))
        missing = [area for area in areas if area not in FUNCTION_SPECS]
        if missing:
            raise ValueError(f"no FunctionSpec for {missing}; add them to FUNCTION_SPECS")
        area_dirs = sorted(p.name for p in FUNCTIONS_DIR.iterdir()) if FUNCTIONS_DIR.is_dir() else []
        for area in areas:
            spec = FUNCTION_SPECS[area]
            if not (FUNCTIONS_DIR / area).is_dir():
                raise FileNotFoundError(f"functions/{area}/ does not exist")
            name = f"{config.prefix}-{area}"
            pascal = "".join(part.capitalize() for part in area.split("_"))
            log_group = logs.LogGroup(
                self,
                f"{pascal}LogGroup",
                log_group_name=f"/aws/lambda/{name}",
                retention=retention(config.log_retention_days),
                removal_policy=RemovalPolicy.RETAIN,
            )
            role = iam.Role(
                self,
                f"{pascal}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"Execution role of {name} (its own, least privilege)",
            )
            log_group.grant_write(role)
            environment = {
                "STAGE": config.stage,
                "POWERTOOLS_SERVICE_NAME": area,
                "POWERTOOLS_METRICS_NAMESPACE": "SatCcf",
            }
            if area in API_FUNCTIONS:
                environment["CORS_ALLOWED_ORIGINS"] = ",".join(config.cors_allowed_origins)
            for grant in spec.grants:
                environment.update(self._grant(grant, role))
            function = lambda_.Function(
                self,
                f"{pascal}Function",
                function_name=name,
                description=spec.description or f"SAT-CCF {area}",
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=f"{area}.handler.lambda_handler",
                code=lambda_.Code.from_asset(
                    str(FUNCTIONS_DIR),
                    exclude=[d for d in area_dirs if d != area] + ["**/__pycache__", "**/*.pyc"],
                    # catalog/openapi.json is a symlink to the one committed docs/openapi.json
                    follow_symlinks=SymlinkFollowMode.ALWAYS,
                ),
                layers=layers.all,
                role=role,
                memory_size=spec.memory_mb,
                timeout=Duration.seconds(spec.timeout_seconds),
                tracing=lambda_.Tracing.ACTIVE,
                log_group=log_group,
                environment=dict(sorted(environment.items())),
            )
            self.functions[area] = function
            self.roles[area] = role

    # --- grants: each returns the environment variables it implies -------------------------
    def _grant(self, grant: Grant, role: iam.Role) -> dict[str, str]:
        handlers: dict[str, Callable[[iam.Role], dict[str, str]]] = {
            "main_table_rw": self._main_table_rw,
            "idempotency": self._idempotency,
            "reference_read": self._reference_read,
            "audit_append": self._audit_append,
            "audit_search": self._audit_search,
            "people_pool": self._people_pool,
            "mfa_secrets": self._mfa_secrets,
            "ministry_check": self._ministry_check,
            "operators_admin": self._operators_admin,
            "clients_pool": self._clients_pool,
            "rut_bucket": self._rut_bucket,
            "outbox_send": self._outbox_send,
            "send_email": self._send_email,
            "portal_links": self._portal_links,
            "shared_secrets": self._shared_secrets,
            "main_table_read": self._main_table_read,
            "main_table_batch_read": self._main_table_batch_read,
            "token_sign": self._token_sign,
            "token_verify": self._token_verify,
            "shared_secrets_read": self._shared_secrets_read,
            "notification_send": lambda role: self._res.notifications.grant_send(role),
            "notification_worker": lambda role: self._res.notifications.grant_worker(role),
            "notification_public_key": lambda role: self._res.notifications.grant_public_key(role),
            "notification_sign": lambda role: self._res.notifications.grant_sign(role),
            "exchange_operators": self._exchange_operators,
        }
        return handlers[grant](role)

    def _kms_for_dynamodb(self, role: iam.Role) -> None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(_KMS_DATA),
                resources=[self._res.data.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{Stack.of(self).region}.amazonaws.com"}},
            )
        )

    def _main_table_rw(self, role: iam.Role) -> dict[str, str]:
        table = self._res.data.main_table
        role.add_to_principal_policy(
            iam.PolicyStatement(
                # TransactWriteItems/TransactGetItems are not IAM actions: a transaction is authorized by the
                # Put/Update/Delete/ConditionCheck/GetItem actions of its parts (cfn-lint W3037).
                actions=list(_DDB_ITEM_RW),
                resources=[table.table_arn],
            )
        )
        # an index serves Query (and Scan, unused) only
        indexes = [f"{table.table_arn}/index/{name}" for name in MAIN_TABLE_INDEXES]
        role.add_to_principal_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=indexes))
        self._kms_for_dynamodb(role)
        return {"MAIN_TABLE_NAME": table.table_name}

    def _idempotency(self, role: iam.Role) -> dict[str, str]:
        table = self._res.data.main_table
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                resources=[table.table_arn],
            )
        )
        self._kms_for_dynamodb(role)
        return {"MAIN_TABLE_NAME": table.table_name}

    def _reference_read(self, role: iam.Role) -> dict[str, str]:
        """The reference table (people and companies with the DynamoDB adapter; the identity questions'
        populations always, decision 0026) and, with the HTTP reference source, its secret (context
        referenceSource, decision 0071)."""
        table, source = self._res.data.reference_table, self._res.config.reference_source
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(_DDB_READ), resources=[table.table_arn]))
        self._kms_for_dynamodb(role)
        if source.kind == "http":
            assert source.base_url and source.secret_name  # infra/config.py validated them
            secret_arn = Stack.of(self).format_arn(
                service="secretsmanager",
                resource="secret",
                resource_name=f"{source.secret_name}-??????",  # the 6 characters Secrets Manager appends
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_arn])
            )
            return {
                "REFERENCE_TABLE_NAME": table.table_name,
                "REFERENCE_SOURCE_KIND": "http",
                "REFERENCE_SOURCE_BASE_URL": source.base_url,
                "REFERENCE_SOURCE_SECRET_NAME": source.secret_name,
                "REFERENCE_SOURCE_TIMEOUT_SECONDS": str(source.timeout_seconds),
            }
        return {"REFERENCE_TABLE_NAME": table.table_name}

    def _audit_append(self, role: iam.Role) -> dict[str, str]:
        table = self._res.data.audit_table
        role.add_to_principal_policy(iam.PolicyStatement(actions=["dynamodb:PutItem"], resources=[table.table_arn]))
        self._kms_for_dynamodb(role)
        return {"AUDIT_TABLE_NAME": table.table_name}

    def _audit_search(self, role: iam.Role) -> dict[str, str]:
        table = self._res.data.audit_table
        resources = [table.table_arn, *(f"{table.table_arn}/index/{name}" for name in AUDIT_INDEXES)]
        role.add_to_principal_policy(iam.PolicyStatement(actions=["dynamodb:Query"], resources=resources))
        self._kms_for_dynamodb(role)
        return {"AUDIT_TABLE_NAME": table.table_name}

    def _people_pool(self, role: iam.Role) -> dict[str, str]:
        identity = self._res.identity
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "cognito-idp:AdminCreateUser",
                    "cognito-idp:AdminGetUser",
                    "cognito-idp:AdminSetUserPassword",
                    "cognito-idp:AdminUpdateUserAttributes",
                    # sign-in with the confidential client: its secret, read at run time, never in the
                    # template or the environment (decision 0027); refresh is the public InitiateAuth
                    "cognito-idp:AdminInitiateAuth",
                    "cognito-idp:DescribeUserPoolClient",
                ],
                resources=[identity.people_pool.user_pool_arn],
            )
        )
        return {
            "PEOPLE_USER_POOL_ID": identity.people_pool.user_pool_id,
            "PEOPLE_USER_POOL_CLIENT_ID": identity.web_client.user_pool_client_id,
        }

    def _mfa_secrets(self, role: iam.Role) -> dict[str, str]:
        key = self._res.identity.mfa_key
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:Encrypt", "kms:Decrypt"], resources=[key.key_arn])
        )
        return {"MFA_KEY_ID": key.key_id}

    def _ministry_check(self, role: iam.Role) -> dict[str, str]:
        pool = self._res.identity.people_pool
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser"],
                resources=[pool.user_pool_arn],
            )
        )
        return {"PEOPLE_USER_POOL_ID": pool.user_pool_id}

    def _exchange_operators(self, role: iam.Role) -> dict[str, str]:
        """The members of the operator groups (the notifications worker e-mails `ministerio-intercambio`'s):
        ListUsersInGroup only, no change to any account (decision 0105)."""
        pool = self._res.identity.people_pool
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["cognito-idp:ListUsersInGroup"], resources=[pool.user_pool_arn])
        )
        return {"PEOPLE_USER_POOL_ID": pool.user_pool_id}

    def _operators_admin(self, role: iam.Role) -> dict[str, str]:
        """The administrator's operator routes (functions/registration/operators.py): the operator groups'
        members, group changes, disabling (with the global sign-out) and enabling; one BatchGetItem per page of
        the list for the operators' profiles and TOTP state (decision 0090)."""
        pool = self._res.identity.people_pool
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "cognito-idp:ListUsersInGroup",
                    "cognito-idp:AdminAddUserToGroup",
                    "cognito-idp:AdminRemoveUserFromGroup",
                    "cognito-idp:AdminDisableUser",
                    "cognito-idp:AdminEnableUser",
                    "cognito-idp:AdminUserGlobalSignOut",
                ],
                resources=[pool.user_pool_arn],
            )
        )
        table = self._res.data.main_table
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:BatchGetItem"], resources=[table.table_arn])
        )
        self._kms_for_dynamodb(role)
        return {"PEOPLE_USER_POOL_ID": pool.user_pool_id, "MAIN_TABLE_NAME": table.table_name}

    def _clients_pool(self, role: iam.Role) -> dict[str, str]:
        pool = self._res.identity.clients_pool
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=[
                    "cognito-idp:CreateUserPoolClient",
                    "cognito-idp:DeleteUserPoolClient",
                ],
                resources=[pool.user_pool_arn],
            )
        )
        return {"CLIENTS_USER_POOL_ID": pool.user_pool_id}

    def _rut_bucket(self, role: iam.Role) -> dict[str, str]:
        bucket = self._res.data.rut_bucket
        role.add_to_principal_policy(
            iam.PolicyStatement(
                # Put: signer of the presigned POST; Get/Delete (+Version): the upload check discards bad files
                actions=[
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                ],
                resources=[bucket.arn_for_objects("rut/*")],
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self._res.data.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}},
            )
        )
        return {"RUT_BUCKET_NAME": bucket.bucket_name}

    def _outbox_send(self, role: iam.Role) -> dict[str, str]:
        self._res.delivery.grant_send(role)
        return self._res.delivery.environment()

    def _send_email(self, role: iam.Role) -> dict[str, str]:
        self._res.email.grant_send_templated(role)
        return {
            "SENDER_EMAIL": self._res.config.sender_email,
            "EMAIL_TEMPLATE_PREFIX": self._res.config.email_template_prefix,
            "PORTAL_BASE_URL": self._res.config.portal_base_url,
        }

    def _portal_links(self, role: iam.Role) -> dict[str, str]:
        return {"SENDER_EMAIL": self._res.config.sender_email, "PORTAL_BASE_URL": self._res.config.portal_base_url}

    def _shared_secrets(self, role: iam.Role) -> dict[str, str]:
        self._res.secrets.grant_manage(role)
        return self._res.secrets.environment()

    def _shared_secrets_read(self, role: iam.Role) -> dict[str, str]:
        """Read (never write) the CCFs' shared-service secrets: the notification endpoint's credentials and key."""
        self._res.secrets.grant_read(role)
        return self._res.secrets.environment()

    def _token_sign(self, role: iam.Role) -> dict[str, str]:
        key = self._res.identity.token_signing_key
        role.add_to_principal_policy(iam.PolicyStatement(actions=["kms:Sign"], resources=[key.key_arn]))
        return {"TOKEN_SIGNING_KEY_ID": key.key_id}

    def _token_verify(self, role: iam.Role) -> dict[str, str]:
        key = self._res.identity.token_signing_key
        role.add_to_principal_policy(iam.PolicyStatement(actions=["kms:GetPublicKey"], resources=[key.key_arn]))
        return {"TOKEN_SIGNING_KEY_ID": key.key_id}

    def _main_table_read(self, role: iam.Role) -> dict[str, str]:
        table = self._res.data.main_table
        role.add_to_principal_policy(iam.PolicyStatement(actions=list(_DDB_READ), resources=[table.table_arn]))
        self._kms_for_dynamodb(role)
        return {"MAIN_TABLE_NAME": table.table_name}

    def _main_table_batch_read(self, role: iam.Role) -> dict[str, str]:
        """BatchGetItem on the table itself (sat_common.items.ItemStore.get_many), never on an index."""
        table = self._res.data.main_table
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:BatchGetItem"], resources=[table.table_arn])
        )
        self._kms_for_dynamodb(role)
        return {"MAIN_TABLE_NAME": table.table_name}
