"""Shared-service credentials: the KMS key and the Secrets Manager name prefix.

The secrets themselves are created at run time (one per CCF shared service) under
`sat-ccf/<stage>/shared-services/`, encrypted with `key`.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.components.common import cmk
from infra.config import StageConfig

# What functions/share calls (functions/share/secrets_store.py, sat_common.shared_services.read_secret); no
# DescribeSecret/UpdateSecret: nothing calls them (docs/security.md "Least privilege of the function roles").
SECRET_ACTIONS = (
    "secretsmanager:CreateSecret",
    "secretsmanager:TagResource",  # CreateSecret with Tags
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:DeleteSecret",
    # functions/share compensations (decision 0050): AWSCURRENT back to the version the metadata names
    # after a failed metadata write; a scheduled deletion undone when the metadata delete fails. Also the
    # SAT_VERIFIED label of the last verified configuration's version (decision 0111).
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:RestoreSecret",
)


class SharedServiceSecrets(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.prefix = config.secrets_prefix
        self.key: kms.Key = cmk(
            self,
            "SecretsKey",
            alias=f"alias/{config.prefix}-shared-services",
            description=f"SAT-CCF {config.stage}: credentials of CCF shared services (Secrets Manager)",
        )

    @property
    def secrets_arn_pattern(self) -> str:
        # Secrets Manager appends "-XXXXXX" to secret ARNs, so a prefix pattern needs the wildcard.
        return Stack.of(self).format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    def environment(self) -> dict[str, str]:
        return {"SECRETS_PREFIX": self.prefix, "SECRETS_KMS_KEY_ARN": self.key.key_arn}

    def _key_through_secrets_manager(self, grantee: iam.IGrantable, actions: list[str]) -> None:
        """The key, only through Secrets Manager and only for the secrets under the prefix (Secrets Manager puts
        the secret's ARN in the encryption context of every data key)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=actions,
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com"},
                    "StringLike": {"kms:EncryptionContext:SecretARN": self.secrets_arn_pattern},
                },
            )
        )

    def grant_read(self, grantee: iam.IGrantable) -> None:
        """GetSecretValue of the secrets under the prefix, and the key to decrypt them (nothing else)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[self.secrets_arn_pattern])
        )
        self._key_through_secrets_manager(grantee, ["kms:Decrypt"])

    def grant_manage(self, grantee: iam.IGrantable) -> None:
        """Create/read/update/delete secrets under the prefix, and use the key through Secrets Manager.

        The `Resource::...shared-services/*` wildcard is inherent to a prefix grant; acknowledge
        AwsSolutions-IAM5 for the grantee's policy in infra/nag_acknowledgments.py when used.
        """
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(SECRET_ACTIONS), resources=[self.secrets_arn_pattern])
        )
        # Secrets Manager encrypts with GenerateDataKey and decrypts with Decrypt; it never calls Encrypt
        self._key_through_secrets_manager(grantee, ["kms:GenerateDataKey", "kms:Decrypt"])
