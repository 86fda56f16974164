"""Every cdk-nag acknowledgment of the app, in one place.

Policy (docs/decisions/0003-nag-acknowledgments.md): fix what is cheap; acknowledge a finding only
on the construct it is about, with the finest id cdk-nag offers (e.g. `AwsSolutions-IAM5[Resource::*]`)
and a reason specific to that construct. Never acknowledge on the whole stack. Synthesis fails while
any finding is not acknowledged here.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct

from infra.api_routes import QUEUE_FUNCTIONS
from infra.stack import SatCcfStack

XRAY_NO_RESOURCE_LEVEL = (
    "Only xray:PutTraceSegments and xray:PutTelemetryRecords are granted on '*' (added by tracing=ACTIVE): "
    "X-Ray does not support resource-level permissions for these actions. Every other statement is "
    "scoped to this function's own resources."
)


def _ack(scope: IConstruct, *rules: tuple[str, str]) -> None:
    Validations.of(scope).acknowledge(*(Acknowledgment(id=rule_id, reason=reason) for rule_id, reason in rules))


def acknowledge(stack: SatCcfStack) -> None:
    identity = stack.identity
    _ack(
        identity.people_pool,
        (
            "AwsSolutions-COG1",
            "Password policy follows NIST SP 800-63B-4 (minimum length 12, no composition rules), which "
            "forbids the composition rules COG1 asks for; decision docs/decisions/0002-password-policy-nist.md.",
        ),
        (
            "AwsSolutions-COG2",
            "Cognito's own MFA is off: the API checks TOTP before it releases tokens (required for Ministry "
            "operators, offered to every person), because Cognito's software-token enrolment needs the access "
            "token the API no longer hands out; decisions 0027 and 0029.",
        ),
        (
            "AwsSolutions-COG8",
            "Plus feature plan (threat protection) is a per-MAU cost this reference deployment does not "
            "assume; brute force is limited by WAF rate rule, API throttling and Cognito lockout; decision 0003.",
        ),
    )
    _ack(
        identity.clients_pool,
        (
            "AwsSolutions-COG1",
            "The CCF clients pool holds no users or passwords: only app clients (client credentials), so a "
            "password policy never applies; it mirrors the people pool's NIST policy (decision 0002).",
        ),
        (
            "AwsSolutions-COG2",
            "The CCF clients pool has no users, only machine-to-machine app clients; MFA does not apply.",
        ),
        (
            "AwsSolutions-COG8",
            "Plus feature plan protects user sign-ins; this pool has no users, only app clients (decision 0003).",
        ),
    )

    for role in stack.functions.roles.values():
        _ack(role, ("AwsSolutions-IAM5[Resource::*]", XRAY_NO_RESOURCE_LEVEL))
    for area, function in stack.functions.functions.items():
        _ack(
            function,
            (
                "AwsSolutions-L1",
                "Runtime is pinned to python3.13 on purpose: the dependency layer is built for cp313 and the "
                "local runtime/tests run on 3.13; upgrading is a deliberate change of docs/architecture.md.",
            ),
            (
                "Serverless-LambdaLatestVersion",
                "Same as AwsSolutions-L1: python3.13 is pinned to match the cp313 dependency layer.",
            ),
            (
                "Serverless-LambdaDLQ",
                f"{area} is invoked synchronously (API Gateway) or by an SQS event source mapping; Lambda's "
                "DLQ only applies to asynchronous invocations. Failed outbox messages go to the queue's DLQ.",
            ),
        )
    for area in QUEUE_FUNCTIONS:
        _ack(
            stack.functions.functions[area],
            (
                "Serverless-LambdaEventSourceMappingDestination",
                "On-failure destinations are not supported for SQS event sources; messages that keep "
                "failing are moved by the queue's redrive policy to the DLQ (maxReceiveCount 5).",
            ),
        )

    _ack(
        stack.delivery.dead_letter_queue,
        (
            "Serverless-SQSRedrivePolicy",
            "This queue is the dead-letter queue of the outbox queue; a DLQ of the DLQ would only move the "
            "problem. Its messages are kept 14 days for inspection and redrive.",
        ),
    )

    # RUT uploads (decision 0031) (infra/components/rut_uploads.py, docs/decisions/0031-rut-upload-and-check.md)
    _ack(
        stack.functions.functions["delegation"],
        (
            "Serverless-LambdaEventSourceMappingDestination",
            "On-failure destinations are not supported for SQS event sources; RUT upload events that keep "
            "failing are moved by the queue's redrive policy to its DLQ (maxReceiveCount 5).",
        ),
    )
    _ack(
        stack.rut_uploads.dead_letter_queue,
        (
            "Serverless-SQSRedrivePolicy",
            "This queue is the dead-letter queue of the RUT uploads queue; its messages are kept 14 days.",
        ),
    )
    # Operations: SES bounce and complaint events (infra/components/email.py, decision 0072)
    _ack(
        stack.email.events_dead_letter_queue,
        (
            "Serverless-SQSRedrivePolicy",
            "This queue is the dead-letter queue of the SES events queue and of its SNS subscription; a DLQ of "
            "the DLQ would only move the problem. Its alarm is in infra/components/monitoring.py; kept 14 days.",
        ),
    )
    if stack.monitoring.email_subscription is not None:  # decision 0073
        _ack(
            stack.monitoring.email_subscription,
            (
                "Serverless-SNSRedrivePolicy",
                "The operators' e-mail subscription of the alarm topic (context alarmEmail): SNS retries e-mail "
                "delivery itself, and an alarm that cannot be mailed stays visible in CloudWatch and the dashboard.",
            ),
        )
    # trámite notifications (decision 0062) (infra/components/notifications.py, decisions 0060-0062)
    _ack(
        stack.notifications.dead_letter_queue,
        (
            "Serverless-SQSRedrivePolicy",
            "This queue is the dead-letter queue of the trámite notifications queue (FALLIDA trámites); the "
            "Ministry redrives from the trámite (POST /admin/tramites/{n}/redrive); messages are kept 14 days.",
        ),
    )
    secrets_arn = "arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:"
    secrets_pattern = f"Resource::{secrets_arn}{stack.secrets.prefix}*"
    for area in ("exchange", "notifications"):
        _ack(
            stack.functions.roles[area],
            (
                f"AwsSolutions-IAM5[{secrets_pattern}]",
                "Read only (GetSecretValue, and kms:Decrypt through Secrets Manager for these secrets only) of the "
                "CCFs' shared-service secrets, created at run time one per shared service under the stack's prefix: "
                "the CCF's notification endpoint credentials (worker) and its public key for the encrypted pull "
                "(exchange).",
            ),
        )
    # The notification signing keys change at each rotation; the aliases do not (decision 0104).
    kms_arn = "arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:"
    for area in ("exchange", "notifications", "share"):  # share: the CCF's test notification (decision 0108)
        _ack(
            stack.functions.roles[area],
            (
                f"AwsSolutions-IAM5[Resource::{kms_arn}key/*]",
                "The notification signing key is rotated by `ops signing-key rotate`, which creates keys at run time; "
                "the statement only holds when the call names one of the stack's signing aliases (condition "
                "kms:RequestAlias), so no other key of the account can be used (kms:Sign by the worker with "
                "`current`, kms:GetPublicKey for the JWKS).",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{kms_arn}{stack.notifications.signing_alias_base}-*]",
                "The stack's three signing aliases (current, next, previous; previous exists after the first "
                "rotation): the alias ARN grants nothing by itself, it makes a call naming a missing alias answer "
                "NotFound rather than AccessDenied.",
            ),
        )
    rut_bucket_id = stack.get_logical_id(stack.data.rut_bucket.node.default_child)  # type: ignore[arg-type]
    _ack(
        stack.functions.roles["delegation"],
        (
            f"AwsSolutions-IAM5[Resource::<{rut_bucket_id}.Arn>/rut/*]",
            "RUT object keys are chosen at run time (rut/<nit>/<ulid>.pdf); the grant is limited to the rut/ "
            "prefix of the one RUT bucket and to the object actions the upload check needs.",
        ),
    )

    # secrets of CCF shared services (infra/components/secrets.py, decision 0050)
    secrets_resource = (
        f"Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:{stack.secrets.prefix}*"
    )
    _ack(
        stack.functions.roles["share"],
        (
            f"AwsSolutions-IAM5[{secrets_resource}]",
            "One secret per CCF shared service is created at run time (<prefix><nit>/<id>); the grant is "
            "limited to the stack's shared-services prefix, its actions to what functions/share uses, and the "
            "KMS key to use through Secrets Manager (kms:ViaService).",
        ),
    )

    api = stack.api
    _ack(
        api.rest_api,
        (
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level API Gateway CloudWatch role must carry this AWS-managed policy for access and "
            "execution logging; it is the documented, service-maintained policy for exactly this use.",
        ),
    )
    for route in api.routes:
        if route.auth == "ccf_system":
            _ack(
                api.methods[(route.method, route.path)],
                (
                    "AwsSolutions-COG4",
                    f"{route.method} {route.path} is called by CCF systems, not people: a Lambda TOKEN authorizer "
                    "verifies the KMS-signed access token of POST /oauth2/token (Client ID + assigned password), "
                    "which Cognito cannot issue; decision docs/decisions/0040-ccf-client-ids-passwords-and-tokens.md.",
                ),
            )
            continue
        if route.auth != "public":
            continue
        _ack(
            api.methods[(route.method, route.path)],
            (
                "AwsSolutions-APIG4",
                f"{route.method} {route.path} is public by design (auth='public' in infra/api_routes.py): "
                "it serves non-personal data (health, OpenAPI, docs, catalogs, or an anonymous flow step).",
            ),
            (
                "AwsSolutions-COG4",
                f"{route.method} {route.path} is public by design (auth='public' in infra/api_routes.py); "
                "routes with auth='person' use the people pool's Cognito authorizer.",
            ),
        )
    _acknowledge_portal(stack)


def _acknowledge_portal(stack: SatCcfStack) -> None:
    """The portal (decision 0080)."""
    portal = stack.portal
    _ack(portal.role, ("AwsSolutions-IAM5[Resource::*]", XRAY_NO_RESOURCE_LEVEL))
    _ack(
        portal.function,
        (
            "AwsSolutions-L1",
            "Runtime is pinned to python3.13 on purpose: the dependency layer is built for cp313 (as every function).",
        ),
        ("Serverless-LambdaLatestVersion", "Same as AwsSolutions-L1: python3.13 matches the cp313 dependency layer."),
        ("Serverless-LambdaDLQ", "Invoked synchronously by API Gateway only; a DLQ applies to asynchronous calls."),
    )
    _ack(
        portal.forwarding_secret,
        (
            "AwsSolutions-SMG4",
            "A random key shared by the portal and the API functions, read at cold start; rotating it needs no "
            "Lambda rotation function: a new value is set with `put-secret-value` and both sides pick it up on "
            "their next cold start (docs/portal.md). It grants nothing by itself: it only lets the API believe the "
            "address the portal forwards.",
        ),
    )
    _ack(
        portal.rest_api,
        (
            "AwsSolutions-APIG2",
            "The portal's pages take HTML forms (application/x-www-form-urlencoded), which API Gateway's JSON "
            "models cannot describe; the function validates every field and the API validates again.",
        ),
    )
    for method in portal.methods:
        _ack(
            method,
            (
                "AwsSolutions-APIG4",
                "Web pages reached by people's browsers: the portal checks its own server-side session (cookie) "
                "and the API it calls checks the person's ID token with the Cognito authorizer (decision 0080).",
            ),
            (
                "AwsSolutions-COG4",
                "A browser sends a session cookie, not a Cognito token; the API behind the portal keeps the Cognito "
                "authorizer on every personal route (decision 0080).",
            ),
        )
