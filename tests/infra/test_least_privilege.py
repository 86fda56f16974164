"""Least privilege of the function roles (docs/security.md "Least privilege of the function roles").

ALLOWED pins, per function, every action its role is granted (beyond the logs and X-Ray every function has):
the boto3 calls its code makes (its own package and the sat_common modules it uses), the KMS actions the
services perform for it (kms:ViaService), and the SQS actions of its event source mapping. A new grant fails
this test until it is added here on purpose, in review.
"""

from __future__ import annotations

from typing import Any

from infra_synth import Synth

BASE = {"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}
# main table items (sat_common.items: get/put/update/delete/query and the parts of transactions)
MAIN_TABLE = {
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
}
# what DynamoDB does with the data key of the CMK-encrypted tables for the caller (kms:ViaService dynamodb)
TABLE_KEY = {"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
AUDIT = {"dynamodb:PutItem"}
OUTBOX = {"sqs:SendMessage", "kms:GenerateDataKey", "kms:Decrypt"}  # SQS encrypts with the queue's CMK
MINISTRY_CHECK = {"cognito-idp:AdminGetUser", "cognito-idp:AdminListGroupsForUser"}  # sat_common.ministry
# an SQS event source mapping (CDK's SqsEventSource), run by Lambda with the function's role
QUEUE_CONSUMER = {
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "kms:Decrypt",
}

ALLOWED: dict[str, set[str]] = {
    "catalog": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | OUTBOX
    | MINISTRY_CHECK
    | {"cognito-idp:CreateUserPoolClient", "cognito-idp:DeleteUserPoolClient"}  # Client IDs (decision 0040)
    | {"dynamodb:BatchGetItem"},  # a CCF catalog read's items together (decision 0113)
    "oauth": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | {"kms:Sign", "kms:GetPublicKey"}  # the access token; its JWKS (0100)
    | {"dynamodb:BatchGetItem"},  # a token's items in one read (decision 0112)
    "ccf_authorizer": {"dynamodb:BatchGetItem"} | TABLE_KEY | {"kms:GetPublicKey"},
    "delegation": MAIN_TABLE
    | {"dynamodb:BatchGetItem"}  # the caller's grant with the company (decision 0112)
    | TABLE_KEY
    | AUDIT
    | OUTBOX
    | MINISTRY_CHECK
    | QUEUE_CONSUMER  # RUT upload events
    | {"dynamodb:GetItem"}  # reference sources
    # RUT bucket: the presigned POST, the upload check (HEAD/GET of a version) and discarding bad files
    | {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion"},
    "registration": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | OUTBOX
    | {"dynamodb:GetItem"}  # reference sources
    | {"kms:Encrypt", "kms:Decrypt"}  # TOTP secrets (decision 0029)
    | {
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminGetUser",
        "cognito-idp:AdminSetUserPassword",
        "cognito-idp:AdminUpdateUserAttributes",
        "cognito-idp:AdminInitiateAuth",
        "cognito-idp:DescribeUserPoolClient",  # the confidential client's secret, read at run time (0027)
    }
    | MINISTRY_CHECK  # the administrator's routes: operators and the help desk (decisions 0090, 0091)
    | {  # the operators (decision 0090): groups, disabling with the global sign-out; the list's BatchGetItem
        "cognito-idp:ListUsersInGroup",
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminEnableUser",
        "cognito-idp:AdminUserGlobalSignOut",
        "dynamodb:BatchGetItem",
    },
    "share": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | OUTBOX
    | {
        "secretsmanager:CreateSecret",
        "secretsmanager:TagResource",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:DeleteSecret",
        "secretsmanager:UpdateSecretVersionStage",
        "secretsmanager:RestoreSecret",
        "kms:Sign",  # the test notification, signed with the notification key's `current` alias (decision 0108)
        "kms:GetPublicKey",
    },
    "exchange": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | OUTBOX
    | MINISTRY_CHECK
    | {"sqs:SendMessage"}  # trámite notifications
    | {"kms:GetPublicKey"}  # the JWKS
    | {"secretsmanager:GetSecretValue", "kms:Decrypt"},  # the CCF's public key for the pull
    "notifications": MAIN_TABLE
    | TABLE_KEY
    | AUDIT
    | QUEUE_CONSUMER
    | {"sqs:ChangeMessageVisibility", "sqs:SendMessage"}  # the schedule, dead-lettering, re-enqueue (0105)
    | {"kms:Sign", "kms:GetPublicKey"}
    | {"secretsmanager:GetSecretValue", "kms:Decrypt"}  # the CCF endpoint's credentials
    | OUTBOX  # the e-mails of a failed delivery or a disabled endpoint (decision 0105)
    | {"cognito-idp:ListUsersInGroup"},  # the exchange operators to e-mail (decision 0105)
    "delivery": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    | TABLE_KEY
    | QUEUE_CONSUMER
    | {"ses:SendTemplatedEmail"},
}
# The portal (decision 0080): its own session items (dynamodb:LeadingKeys), its session key, its forwarding key;
# the API functions it calls read that key to believe the address it forwards (sat_common.auth.portal_client).
ALLOWED["portal"] = (
    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"} | TABLE_KEY | {"secretsmanager:GetSecretValue"}
)
ALLOWED["registration"] = ALLOWED["registration"] | {"secretsmanager:GetSecretValue"}  # infra/stack.py
ALLOWED["delegation"] = ALLOWED["delegation"] | {"secretsmanager:GetSecretValue"}  # "Administrar autorizados"
ALLOWED["catalog"] = ALLOWED["catalog"] | {"secretsmanager:GetSecretValue"}  # §6 pages: terms evidence, audit
# The audit search (decision 0095): Query on the audit table and its indexes, its own export's entry, the live
# operator check (GetItem of the TOTP status) and the portal's forwarding key.
ALLOWED["backoffice"] = (
    {"dynamodb:Query", "dynamodb:GetItem"} | TABLE_KEY | AUDIT | MINISTRY_CHECK | {"secretsmanager:GetSecretValue"}
)
SECRET_READERS = ("exchange", "notifications")


def test_the_portal_touches_only_its_session_items(synth: Synth) -> None:
    statements = _statements(synth, _roles(synth)["portal"])
    table_statements = [s for s in statements if any(str(a).startswith("dynamodb:") for a in _as_list(s["Action"]))]
    assert table_statements
    for statement in table_statements:
        leading = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert leading == ["PORTAL_SESSION#*"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _roles(synth: Synth) -> dict[str, str]:
    """function area -> its role's logical id"""
    out = {}
    for function in synth.of_type("AWS::Lambda::Function").values():
        handler = function["Properties"]["Handler"]
        out[handler.split(".", 1)[0]] = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return out


def _statements(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(synth: Synth, role_id: str) -> set[str]:
    return {action for statement in _statements(synth, role_id) for action in _as_list(statement["Action"])}


def test_each_function_is_granted_exactly_the_pinned_actions(synth: Synth) -> None:
    roles = _roles(synth)
    assert set(roles) == set(ALLOWED), "a function was added or removed: pin its actions in ALLOWED"
    granted = {area: _actions(synth, role_id) - BASE for area, role_id in roles.items()}
    extra = {area: sorted(granted[area] - ALLOWED[area]) for area in roles if granted[area] - ALLOWED[area]}
    missing = {area: sorted(ALLOWED[area] - granted[area]) for area in roles if ALLOWED[area] - granted[area]}
    assert extra == {}, f"granted but not pinned (add to ALLOWED only if the code calls it): {extra}"
    assert missing == {}, f"pinned but not granted (remove from ALLOWED): {missing}"


def test_no_role_can_batch_scan_or_manage_what_no_code_manages(synth: Synth) -> None:
    never = {
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:Scan",
        "cognito-idp:AdminAddUserToGroup",  # the operator groups: only the administrator's routes (below)
        "cognito-idp:UpdateUserPoolClient",
        "secretsmanager:UpdateSecret",
        "secretsmanager:DescribeSecret",
    }
    # Decision 0090: the registration function serves the administrator's /admin/operators, which changes the
    # operator groups and reads one page of operators' profiles and TOTP state with one BatchGetItem.
    # Decision 0113: the catalog function reads an authorized person's access items and the CCF's services together.
    # Decision 0112: the token endpoint, the /sat authorizer and the company's routes read their few items together.
    allowed = {
        "registration": {"cognito-idp:AdminAddUserToGroup", "dynamodb:BatchGetItem"},
        "catalog": {"dynamodb:BatchGetItem"},
        "oauth": {"dynamodb:BatchGetItem"},
        "ccf_authorizer": {"dynamodb:BatchGetItem"},
        "delegation": {"dynamodb:BatchGetItem"},
    }
    for area, role_id in _roles(synth).items():
        assert not _actions(synth, role_id) & (never - allowed.get(area, set())), area


def test_table_indexes_serve_queries_only(synth: Synth) -> None:
    for area, role_id in _roles(synth).items():
        for statement in _statements(synth, role_id):
            if any("/index/" in str(resource) for resource in _as_list(statement["Resource"])):
                assert _as_list(statement["Action"]) == ["dynamodb:Query"], area


def test_secret_readers_only_get_values_and_decrypt_only_those_secrets(synth: Synth) -> None:
    roles = _roles(synth)
    for area in SECRET_READERS:
        statements = _statements(synth, roles[area])
        secret_actions = {a for s in statements for a in _as_list(s["Action"]) if a.startswith("secretsmanager:")}
        assert secret_actions == {"secretsmanager:GetSecretValue"}, area
        via_secrets = [s for s in statements if "secretsmanager." in str(s.get("Condition", ""))]
        assert via_secrets and all(_as_list(s["Action"]) == ["kms:Decrypt"] for s in via_secrets), area
        for statement in via_secrets:
            context = statement["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"]
            assert "shared-services/*" in str(context), area
