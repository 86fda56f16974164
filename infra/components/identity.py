"""Cognito: the people pool (+ web client, groups) and the pool for CCF system clients.

Password policy: docs/decisions/0002-password-policy-nist.md (NIST SP 800-63B-4: length, no
composition rules). The web client is confidential and server-side only, so nothing a person holds opens
Cognito's own API (docs/decisions/0027-cognito-not-a-side-door.md); the second factor is the API's
(docs/decisions/0029-ministry-totp-and-live-group-check.md).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.config import StageConfig

# The Ministry's operator groups: the same names as sat_common.operator_groups (a test checks they agree).
GROUPS: dict[str, str] = {
    "ministerio": "Administradores del Ministerio de Salud y Protección Social (todo, incluidos los operadores)",
    "ministerio-revisor": "Revisores de RUT del Ministerio",
    "ministerio-catalogo": "Operadores del catálogo: activación de CCF, servicios y asignaciones",
    "ministerio-intercambio": "Operadores del intercambio: trámites, entregas y reintentos",
    "ministerio-auditor": "Auditores del Ministerio (solo lectura)",
}

# NIST SP 800-63B-4 §3.1.1.2: at least 15 characters for single-factor passwords, at least 8 when
# used with MFA; we ask for 12 (MFA is offered) and impose no composition rules. See decision 0002.
PASSWORD_POLICY = cognito.PasswordPolicy(
    min_length=12,
    require_lowercase=False,
    require_uppercase=False,
    require_digits=False,
    require_symbols=False,
    temp_password_validity=Duration.days(3),
)


class Identity(Construct):
    def __init__(self, scope: Construct, id_: str, *, config: StageConfig) -> None:
        super().__init__(scope, id_)
        self.people_pool = cognito.UserPool(
            self,
            "PeoplePool",
            user_pool_name=f"{config.prefix}-people",
            # Username is "<DOCTYPE>-<NUMBER>", built and normalized by our code.
            sign_in_aliases=cognito.SignInAliases(username=True, email=False, phone=False),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=False,  # accounts are created by the registration flow
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
            ),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            # Cognito's ForgotPassword would bypass the API's policy and audit: recovery is the API's own
            # e-mailed link (decision 0027).
            account_recovery=cognito.AccountRecovery.NONE,
            password_policy=PASSWORD_POLICY,
            # TOTP is checked by the API before it releases tokens (decision 0029): Cognito's own software
            # token MFA needs the person's access token to enrol, which the API no longer hands out.
            mfa=cognito.Mfa.OFF,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.groups = {
            name: cognito.CfnUserPoolGroup(
                self,
                f"Group-{name}",
                user_pool_id=self.people_pool.user_pool_id,
                group_name=name,
                description=description,
            )
            for name, description in GROUPS.items()
        }
        # Confidential and server-side only (decision 0027): a secret only the registration function reads,
        # and only the admin password flow (+ refresh, always on), so the client ID in every ID token lets
        # nobody sign in, refresh, sign up or reset a password around the API.
        self.web_client = self.people_pool.add_client(
            "WebClient",
            user_pool_client_name=f"{config.prefix}-web",
            generate_secret=True,
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.minutes(60),
            id_token_validity=Duration.minutes(60),
            refresh_token_validity=Duration.days(1),
        )

        # CCF systems: one app client per CCF per assigned service, created at run time.
        self.clients_pool = cognito.UserPool(
            self,
            "ClientsPool",
            user_pool_name=f"{config.prefix}-ccf-clients",
            sign_in_aliases=cognito.SignInAliases(username=True),
            sign_in_case_sensitive=False,
            self_sign_up_enabled=False,
            account_recovery=cognito.AccountRecovery.NONE,
            password_policy=PASSWORD_POLICY,
            mfa=cognito.Mfa.OFF,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        # Encrypts the people's TOTP secrets and the refresh token a sign-in keeps while it waits for the
        # code; only the registration function may use it (decision 0029).
        self.mfa_key = kms.Key(
            self,
            "MfaKey",
            description=f"{config.prefix} TOTP secrets and pending sign-ins",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        # Signs the CCF systems' access tokens (RS256) from POST /oauth2/token; the private key never
        # leaves KMS, the /sat authorizer verifies with the public key (decision 0040).
        self.token_signing_key = kms.Key(
            self,
            "TokenSigningKey",
            description=f"{config.prefix} CCF access-token signing key (RS256)",
            key_spec=kms.KeySpec.RSA_2048,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=RemovalPolicy.RETAIN,
        )
