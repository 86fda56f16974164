"""What an AWS API call needs from IAM: `required(service, operation, params, region, account, facts)`.

Returns the (action, resource ARN, request context) triples IAM checks for a botocore call, from the
operation's parameters. Raises `Unmodelled` for an operation this table does not know (the caller allows
it and logs the decision as "unmodelled"); an empty list means IAM is not consulted at all (public
Cognito operations such as InitiateAuth, STS GetCallerIdentity).

Modelled from AWS's documentation (Service Authorization Reference), not observed:

- DynamoDB: item and query operations on `table/NAME` (`.../index/INDEX` for Query/Scan on an index);
  a transaction is one action per item (Put -> PutItem, Update -> UpdateItem, Delete -> DeleteItem,
  ConditionCheck -> ConditionCheckItem, Get -> GetItem); BatchGet/BatchWrite are BatchGetItem/
  BatchWriteItem on each table. Calls on a table encrypted with a customer-managed key need no KMS
  permission of the caller: DynamoDB uses its own grant on the key.
- SQS: the queue ARN from QueueUrl; the batch calls are SendMessage/DeleteMessage/ChangeMessageVisibility.
- S3: object ARN `arn:aws:s3:::BUCKET/KEY` (a VersionId makes it GetObjectVersion/DeleteObjectVersion),
  bucket ARN for ListBucket.
- KMS: the key ARN from KeyId (key id, key ARN, alias name or alias ARN; aliases resolve to their key).
- Secrets Manager: the secret ARN (a name is resolved through `Facts.secret`, else gets a placeholder
  6-character suffix, as AWS appends a random one); CreateSecret with Tags also needs TagResource.
- Cognito user pools: `userpool/ID`; the unauthenticated user operations (InitiateAuth, SignUp, ...) are
  not authorized by IAM.
- SES v1 SendEmail/SendRawEmail/SendTemplatedEmail/SendBulkTemplatedEmail: the sender identity (e-mail
  address, else its domain when only the domain is an identity of the template) and, for templates,
  `template/NAME`; context `ses:FromAddress`, `ses:FromDisplayName`, `ses:Recipients`, `ses:ApiVersion`.

Service-side KMS (also modelled): when the call touches a resource encrypted with a customer-managed key
of the template, the caller also needs the KMS actions the service performs on its behalf, with context
`kms:ViaService = <service>.<region>.amazonaws.com`:

- SQS SendMessage(Batch): kms:GenerateDataKey + kms:Decrypt; ReceiveMessage: kms:Decrypt;
- S3 PutObject (and presigned POST/PUT), CopyObject: kms:GenerateDataKey; GetObject: kms:Decrypt;
- Secrets Manager CreateSecret/PutSecretValue/UpdateSecret with a value: kms:GenerateDataKey +
  kms:Decrypt; GetSecretValue: kms:Decrypt.

S3 assumes an object is encrypted with its bucket's default key (SSE-KMS default encryption in the
template) unless the request names a key; SQS's data key reuse period is ignored (every call checks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any, NamedTuple

from local.iam.policy import ContextValue

# Secrets Manager appends "-" + 6 random characters to a secret's ARN; a name we cannot resolve gets this.
SECRET_SUFFIX_PLACEHOLDER = "-XXXXXX"  # noqa: S105 - not a password


class Unmodelled(Exception):
    """No mapping for this operation: the caller allows it and logs it as "unmodelled"."""


class Requirement(NamedTuple):
    action: str
    resource: str
    context: Mapping[str, ContextValue]

    @property
    def via(self) -> str | None:
        """The service that makes this (KMS) call on the caller's behalf, if any."""
        service = self.context.get("kms:ViaService")
        return service.split(".", 1)[0] if isinstance(service, str) else None


@dataclass
class Facts:
    """What the template (and, for secrets, moto) says about resources: their customer-managed keys."""

    cmk_arns: frozenset[str] = frozenset()  # ARNs of the template's KMS keys (customer managed)
    kms_aliases: dict[str, str] = field(default_factory=dict)  # "alias/NAME" -> key ARN
    queue_keys: dict[str, str] = field(default_factory=dict)  # queue ARN -> key ARN
    bucket_keys: dict[str, str] = field(default_factory=dict)  # bucket name -> default SSE-KMS key ARN
    ses_identities: frozenset[str] = frozenset()  # e-mail addresses and domains
    # secret id (name or ARN) -> (secret ARN or None, key reference or None); observed from moto at run time
    secret: Callable[[str], tuple[str | None, str | None]] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facts:
        return cls(
            cmk_arns=frozenset(data.get("cmk_arns", ())),
            kms_aliases=dict(data.get("kms_aliases", {})),
            queue_keys=dict(data.get("queue_keys", {})),
            bucket_keys=dict(data.get("bucket_keys", {})),
            ses_identities=frozenset(data.get("ses_identities", ())),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "cmk_arns": sorted(self.cmk_arns),
            "kms_aliases": self.kms_aliases,
            "queue_keys": self.queue_keys,
            "bucket_keys": self.bucket_keys,
            "ses_identities": sorted(self.ses_identities),
        }


@dataclass(frozen=True)
class Call:
    """One botocore call, with what the mappings need around it."""

    service: str
    operation: str
    params: Mapping[str, Any]
    region: str
    account: str
    facts: Facts

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"

    def key_arn(self, ref: str | None) -> str | None:
        """The key ARN a KeyId refers to (aliases resolved through the template)."""
        if not ref:
            return None
        if ref.startswith("arn:") and ":key/" in ref:
            return ref
        alias = ref.split(":", 5)[5] if ref.startswith("arn:") else ref
        if alias.startswith("alias/"):
            return self.facts.kms_aliases.get(alias) or self.arn("kms", alias)
        return self.arn("kms", f"key/{ref}")

    def cmk(self, ref: str | None) -> str | None:
        """The key ARN when it is a customer-managed key of the template (AWS managed keys need no grant)."""
        arn = self.key_arn(ref)
        return arn if arn in self.facts.cmk_arns else None

    def via(
        self, key_arn: str | None, *actions: str, context: Mapping[str, ContextValue] | None = None
    ) -> list[Requirement]:
        """The KMS actions `self.service` performs with the caller's permissions on a customer-managed key."""
        if key_arn is None:
            return []
        ctx: dict[str, ContextValue] = {
            "kms:ViaService": f"{self.service}.{self.region}.amazonaws.com",
            "kms:CallerAccount": self.account,
            **(context or {}),
        }
        return [Requirement(f"kms:{a}", key_arn, ctx) for a in actions]


Mapper = Callable[[Call], list[Requirement]]


def required(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    region: str,
    account: str,
    facts: Facts | None = None,
) -> list[Requirement]:
    """The IAM checks of one call (`service` is botocore's service name, e.g. "dynamodb", "cognito-idp")."""
    mapper = _SERVICES.get(service)
    if mapper is None:
        raise Unmodelled(f"{service}.{operation}")
    return mapper(Call(service, operation, params, region, account, facts or Facts()))


# ------------------------------------------------------------------------------------------ DynamoDB
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_DYNAMODB_TABLE_OPS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "DescribeTable",
        "CreateTable",
        "UpdateTable",
        "DeleteTable",
        "DescribeTimeToLive",
        "UpdateTimeToLive",
        "DescribeContinuousBackups",
        "ListTagsOfResource",
    }
)


def _dynamodb(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation

    def table(name: str) -> str:
        return name if name.startswith("arn:") else call.arn("dynamodb", f"table/{name}")

    if op in _DYNAMODB_TABLE_OPS:
        resource = table(p["TableName"])
        if op in ("Query", "Scan") and p.get("IndexName"):
            resource = f"{resource}/index/{p['IndexName']}"
        ctx: dict[str, ContextValue] = {}
        for key, name in (("ReturnValues", "dynamodb:ReturnValues"), ("Select", "dynamodb:Select")):
            if p.get(key):
                ctx[name] = str(p[key])
        return [Requirement(f"dynamodb:{op}", resource, ctx)]
    if op in ("BatchGetItem", "BatchWriteItem"):
        return [Requirement(f"dynamodb:{op}", table(name), {}) for name in p.get("RequestItems", {})]
    if op == "TransactWriteItems":
        out = []
        for item in p.get("TransactItems", []):
            for kind, action in _TRANSACT_WRITE.items():
                if kind in item:
                    out.append(Requirement(f"dynamodb:{action}", table(item[kind]["TableName"]), {}))
        return _unique(out)
    if op == "TransactGetItems":
        return _unique(
            [Requirement("dynamodb:GetItem", table(i["Get"]["TableName"]), {}) for i in p.get("TransactItems", [])]
        )
    if op in ("ListTables", "DescribeLimits", "DescribeEndpoints"):
        return [Requirement(f"dynamodb:{op}", "*", {})]
    raise Unmodelled(f"dynamodb.{op}")


# ------------------------------------------------------------------------------------------ SQS
_SQS_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
_SQS_QUEUE_OPS = frozenset(
    {
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "PurgeQueue",
        "DeleteQueue",
        "ListQueueTags",
        "TagQueue",
        "UntagQueue",
        "ListDeadLetterSourceQueues",
    }
)


def queue_arn(url: str, region: str) -> str:
    """arn:aws:sqs:REGION:ACCOUNT:NAME from a queue URL (AWS's or moto's: .../ACCOUNT/NAME)."""
    account, name = url.rstrip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _sqs(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    if op in _SQS_QUEUE_OPS:
        arn = queue_arn(p["QueueUrl"], call.region)
        out = [Requirement(f"sqs:{_SQS_ACTIONS.get(op, op)}", arn, {})]
        key = call.cmk(call.facts.queue_keys.get(arn))
        context: dict[str, ContextValue] = {"kms:EncryptionContext:aws:sqs:arn": arn}
        if op in ("SendMessage", "SendMessageBatch"):
            out += call.via(key, "GenerateDataKey", "Decrypt", context=context)
        elif op == "ReceiveMessage":
            out += call.via(key, "Decrypt", context=context)
        return out
    if op in ("GetQueueUrl", "CreateQueue"):
        account = p.get("QueueOwnerAWSAccountId") or call.account
        return [Requirement(f"sqs:{op}", f"arn:aws:sqs:{call.region}:{account}:{p['QueueName']}", {})]
    if op == "ListQueues":
        return [Requirement("sqs:ListQueues", "*", {})]
    raise Unmodelled(f"sqs.{op}")


# ------------------------------------------------------------------------------------------ S3
def _s3_object_key(call: Call, bucket: str) -> str | None:
    if call.params.get("SSEKMSKeyId"):
        return call.cmk(str(call.params["SSEKMSKeyId"]))
    if call.params.get("ServerSideEncryption") == "AES256":
        return None
    return call.cmk(call.facts.bucket_keys.get(bucket))


def _s3(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    bucket = p.get("Bucket", "")
    bucket_arn = f"arn:aws:s3:::{bucket}"
    object_arn = f"{bucket_arn}/{p.get('Key', '')}"
    versioned = bool(p.get("VersionId"))
    s3_context: dict[str, ContextValue] = {"kms:EncryptionContext:aws:s3:arn": bucket_arn}
    if op in ("PutObject", "CreateMultipartUpload"):
        key = _s3_object_key(call, bucket)
        return [Requirement("s3:PutObject", object_arn, {}), *call.via(key, "GenerateDataKey", context=s3_context)]
    if op in ("UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"):
        action = "s3:AbortMultipartUpload" if op == "AbortMultipartUpload" else "s3:PutObject"
        return [Requirement(action, object_arn, {})]
    if op in ("GetObject", "HeadObject"):
        out = [Requirement("s3:GetObjectVersion" if versioned else "s3:GetObject", object_arn, {})]
        if op == "GetObject":  # HEAD returns metadata only: S3 decrypts nothing
            out += call.via(call.cmk(call.facts.bucket_keys.get(bucket)), "Decrypt", context=s3_context)
        return out
    if op == "DeleteObject":
        return [Requirement("s3:DeleteObjectVersion" if versioned else "s3:DeleteObject", object_arn, {})]
    if op == "DeleteObjects":
        out = []
        for obj in (p.get("Delete") or {}).get("Objects", []):
            action = "s3:DeleteObjectVersion" if obj.get("VersionId") else "s3:DeleteObject"
            out.append(Requirement(action, f"{bucket_arn}/{obj['Key']}", {}))
        return _unique(out)
    if op == "CopyObject":
        source = p.get("CopySource")
        if isinstance(source, dict):
            source_arn = f"arn:aws:s3:::{source['Bucket']}/{source['Key']}"
        else:
            source_arn = "arn:aws:s3:::" + str(source).lstrip("/").split("?versionId=")[0]
        source_bucket = source_arn.removeprefix("arn:aws:s3:::").split("/", 1)[0]
        return [
            Requirement("s3:GetObject", source_arn, {}),
            Requirement("s3:PutObject", object_arn, {}),
            *call.via(call.cmk(call.facts.bucket_keys.get(source_bucket)), "Decrypt", context=s3_context),
            *call.via(_s3_object_key(call, bucket), "GenerateDataKey", context=s3_context),
        ]
    if op in ("ListObjects", "ListObjectsV2"):
        ctx: dict[str, ContextValue] = {"s3:prefix": str(p["Prefix"])} if p.get("Prefix") is not None else {}
        return [Requirement("s3:ListBucket", bucket_arn, ctx)]
    if op == "ListObjectVersions":
        return [Requirement("s3:ListBucketVersions", bucket_arn, {})]
    if op == "HeadBucket":
        return [Requirement("s3:ListBucket", bucket_arn, {})]
    raise Unmodelled(f"s3.{op}")


# ------------------------------------------------------------------------------------------ KMS
_KMS_ANY_RESOURCE = frozenset({"CreateKey", "ListKeys", "ListAliases", "GenerateRandom", "ConnectCustomKeyStore"})


def _kms(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    if op in _KMS_ANY_RESOURCE:
        return [Requirement(f"kms:{op}", "*", {})]
    if op == "ReEncrypt":
        return [
            Requirement("kms:ReEncryptFrom", call.key_arn(p.get("SourceKeyId")) or "*", {}),
            Requirement("kms:ReEncryptTo", call.key_arn(p["DestinationKeyId"]) or "*", {}),
        ]
    key_id = p.get("KeyId") or p.get("TargetKeyId")
    if not key_id:
        raise Unmodelled(f"kms.{op} (the key is inside the ciphertext)")
    ctx: dict[str, ContextValue] = {"kms:CallerAccount": call.account}
    if str(key_id).startswith("alias/") or ":alias/" in str(key_id):
        ctx["kms:RequestAlias"] = str(key_id).split(":", 5)[-1]
    for param, name in (
        ("SigningAlgorithm", "kms:SigningAlgorithm"),
        ("MessageType", "kms:MessageType"),
        ("EncryptionAlgorithm", "kms:EncryptionAlgorithm"),
        ("KeySpec", "kms:DataKeySpec"),
    ):
        if p.get(param):
            ctx[name] = str(p[param])
    encryption_context = p.get("EncryptionContext") or {}
    for key, value in encryption_context.items():  # evaluated only, never logged
        ctx[f"kms:EncryptionContext:{key}"] = str(value)
    if encryption_context:
        ctx["kms:EncryptionContextKeys"] = tuple(sorted(encryption_context))
    return [Requirement(f"kms:{op}", call.key_arn(str(key_id)) or "*", ctx)]


# ------------------------------------------------------------------------------------------ Secrets Manager
_SECRET_WRITES = frozenset({"CreateSecret", "PutSecretValue", "UpdateSecret"})


def _secretsmanager(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    if op in ("GetRandomPassword", "ListSecrets", "BatchGetSecretValue"):
        out = [Requirement(f"secretsmanager:{op}", "*", {})]
        for secret_id in p.get("SecretIdList", []) if op == "BatchGetSecretValue" else []:
            out += _secret_calls(call, "GetSecretValue", str(secret_id))
        return out
    secret_id = p.get("SecretId") or p.get("Name")
    if not secret_id:
        raise Unmodelled(f"secretsmanager.{op}")
    return _secret_calls(call, op, str(secret_id))


def _secret_calls(call: Call, op: str, secret_id: str) -> list[Requirement]:
    p = call.params
    arn, key = (None, None) if op == "CreateSecret" or call.facts.secret is None else call.facts.secret(secret_id)
    if arn is None:
        arn = (
            secret_id
            if secret_id.startswith("arn:")
            else call.arn("secretsmanager", f"secret:{secret_id}{SECRET_SUFFIX_PLACEHOLDER}")
        )
    ctx: dict[str, ContextValue] = {}
    if op in ("CreateSecret", "UpdateSecret") and p.get("KmsKeyId"):
        key = str(p["KmsKeyId"])
        ctx["secretsmanager:KmsKeyArn"] = call.key_arn(key) or key
    if op == "CreateSecret":
        ctx["secretsmanager:Name"] = secret_id
    out = [Requirement(f"secretsmanager:{op}", arn, ctx)]
    if op == "CreateSecret" and p.get("Tags"):
        tag_keys = tuple(str(t["Key"]) for t in p["Tags"])
        out.append(Requirement("secretsmanager:TagResource", arn, {"aws:TagKeys": tag_keys}))
    kms_context: dict[str, ContextValue] = {"kms:EncryptionContext:SecretARN": arn}
    has_value = p.get("SecretString") is not None or p.get("SecretBinary") is not None
    if op in _SECRET_WRITES and has_value:
        out += call.via(call.cmk(key), "GenerateDataKey", "Decrypt", context=kms_context)
    elif op == "GetSecretValue":
        out += call.via(call.cmk(key), "Decrypt", context=kms_context)
    return out


# ------------------------------------------------------------------------------------------ Cognito
# Operations Cognito authorizes with the user's tokens or none at all: IAM is not consulted.
_COGNITO_PUBLIC = frozenset(
    {
        "InitiateAuth",
        "RespondToAuthChallenge",
        "SignUp",
        "ConfirmSignUp",
        "ResendConfirmationCode",
        "ForgotPassword",
        "ConfirmForgotPassword",
        "ChangePassword",
        "GetUser",
        "UpdateUserAttributes",
        "DeleteUser",
        "DeleteUserAttributes",
        "GlobalSignOut",
        "RevokeToken",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "SetUserMFAPreference",
        "ListDevices",
        "GetDevice",
        "ForgetDevice",
        "ConfirmDevice",
        "UpdateDeviceStatus",
        "GetTokensFromRefreshToken",
    }
)


def _cognito(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    if op in _COGNITO_PUBLIC:
        return []
    pool = p.get("UserPoolId")
    resource = call.arn("cognito-idp", f"userpool/{pool}") if pool else "*"
    return [Requirement(f"cognito-idp:{op}", resource, {})]


# ------------------------------------------------------------------------------------------ SES v1
def _ses(call: Call) -> list[Requirement]:
    p, op = call.params, call.operation
    if op not in ("SendEmail", "SendTemplatedEmail", "SendRawEmail", "SendBulkTemplatedEmail"):
        raise Unmodelled(f"ses.{op}")
    display, address = parseaddr(str(p.get("Source", "")))
    if p.get("SourceArn"):
        identity_arn = str(p["SourceArn"])
    else:
        domain = address.rpartition("@")[2]
        identities = call.facts.ses_identities
        identity = address if address in identities or domain not in identities else domain
        identity_arn = call.arn("ses", f"identity/{identity}")
    destinations = [p.get("Destination") or {}] + [
        d.get("Destination") or {} for d in p.get("Destinations", []) if isinstance(d, dict)
    ]
    recipients = [
        a
        for d in destinations
        for _, a in getaddresses([*d.get("ToAddresses", []), *d.get("CcAddresses", []), *d.get("BccAddresses", [])])
    ] + [str(a) for a in p.get("Destinations", []) if isinstance(a, str)]
    ctx: dict[str, ContextValue] = {"ses:ApiVersion": "1", "ses:Recipients": tuple(sorted(set(recipients)))}
    if address:
        ctx["ses:FromAddress"] = address
    if display:
        ctx["ses:FromDisplayName"] = display
    if p.get("ReturnPath"):
        ctx["ses:FeedbackAddress"] = str(p["ReturnPath"])
    action = f"ses:{op}"
    out = [Requirement(action, identity_arn, ctx)]
    if op in ("SendTemplatedEmail", "SendBulkTemplatedEmail"):
        template = str(p.get("TemplateArn") or call.arn("ses", f"template/{p['Template']}"))
        out.append(Requirement(action, template, ctx))
    if p.get("ConfigurationSetName"):
        out.append(Requirement(action, call.arn("ses", f"configuration-set/{p['ConfigurationSetName']}"), ctx))
    return out


# ------------------------------------------------------------------------------------------ others
def _sts(call: Call) -> list[Requirement]:
    if call.operation == "GetCallerIdentity":
        return []  # needs no permission
    if call.operation in ("AssumeRole", "AssumeRoleWithWebIdentity"):
        return [Requirement(f"sts:{call.operation}", str(call.params["RoleArn"]), {})]
    raise Unmodelled(f"sts.{call.operation}")


def _star(prefix: str, operations: frozenset[str]) -> Mapper:
    """Services whose modelled operations have no resource-level permissions (Resource "*")."""

    def mapper(call: Call) -> list[Requirement]:
        if call.operation not in operations:
            raise Unmodelled(f"{call.service}.{call.operation}")
        ctx: dict[str, ContextValue] = {}
        if call.service == "cloudwatch" and call.params.get("Namespace"):
            ctx["cloudwatch:namespace"] = str(call.params["Namespace"])
        return [Requirement(f"{prefix}:{call.operation}", "*", ctx)]

    return mapper


def _lambda(call: Call) -> list[Requirement]:
    if call.operation != "Invoke":
        raise Unmodelled(f"lambda.{call.operation}")
    name = str(call.params["FunctionName"])
    arn = name if name.startswith("arn:") else call.arn("lambda", f"function:{name}")
    return [Requirement("lambda:InvokeFunction", re.sub(r":(\$LATEST|\d+)$", "", arn), {})]


def _unique(requirements: list[Requirement]) -> list[Requirement]:
    seen: set[tuple[str, str]] = set()
    out = []
    for r in requirements:
        if (r.action, r.resource) not in seen:
            seen.add((r.action, r.resource))
            out.append(r)
    return out


_SERVICES: dict[str, Mapper] = {
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "s3": _s3,
    "kms": _kms,
    "secretsmanager": _secretsmanager,
    "cognito-idp": _cognito,
    "ses": _ses,
    "sts": _sts,
    "lambda": _lambda,
    "cloudwatch": _star("cloudwatch", frozenset({"PutMetricData"})),
    "xray": _star(
        "xray", frozenset({"PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets"})
    ),
}
