"""A function's execution role in the template: its policy documents, and what the template says about the
resources the role touches (their customer-managed KMS keys, the SES identities).

A role's identity policies are its inline `Policies`, the `AWS::IAM::Policy`/`AWS::IAM::ManagedPolicy`
resources whose `Roles` name it, and its `ManagedPolicyArns` that are managed policies of the template or
one of the few AWS managed policies known here (`AWS_MANAGED`); any other AWS managed policy cannot be
read locally and is reported, so its grants are missing (and show up as denials) rather than guessed.
"""

from __future__ import annotations

from typing import Any

from local.iam.actions import Facts
from local.template import Template

# AWS managed policies Lambda roles commonly use (their documents as AWS publishes them).
AWS_MANAGED: dict[str, list[dict[str, Any]]] = {
    "service-role/AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ],
}


def _logical_id(template: Template, expr: Any) -> str | None:
    """The logical id an expression refers to with Ref / Fn::GetAtt (None for a literal)."""
    if isinstance(expr, dict) and len(expr) == 1:
        ((key, arg),) = expr.items()
        if key == "Ref" and isinstance(arg, str) and arg in template.resources:
            return arg
        if key == "Fn::GetAtt":
            lid = arg.split(".")[0] if isinstance(arg, str) else arg[0]
            return lid if lid in template.resources else None
    return None


def function_role(template: Template, function_lid: str) -> str | None:
    """Logical id of the function's execution role, when the role is a resource of the template."""
    expr = template.props(function_lid).get("Role")
    lid = _logical_id(template, expr)
    if lid and template.rtype(lid) == "AWS::IAM::Role":
        return lid
    arn = template.resolve(expr) if expr is not None else None
    for role in template.of_type("AWS::IAM::Role"):
        if arn == template.get_att(role, "Arn"):
            return role
    return None


def role_documents(template: Template, role_lid: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """((policy name, document) of every identity policy of the role, warnings about policies not readable)."""
    role_name = template.ref(role_lid)
    props = template.props(role_lid)
    documents: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    for policy in template.resolve(props.get("Policies", [])):
        documents[str(policy["PolicyName"])] = policy["PolicyDocument"]
    for expr in props.get("ManagedPolicyArns", []):
        lid = _logical_id(template, expr)
        if lid and template.rtype(lid) == "AWS::IAM::ManagedPolicy":
            documents[lid] = template.resolve(template.props(lid)["PolicyDocument"])
            continue
        arn = str(template.resolve(expr))
        name = arn.split(":policy/", 1)[-1]
        if name in AWS_MANAGED:
            documents[name] = {"Statement": AWS_MANAGED[name]}
        else:
            warnings.append(f"managed policy {arn} of {role_lid} is not known locally: its grants are not applied")
    for lid in template.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        p = template.props(lid)
        if role_name in template.resolve(p.get("Roles", [])):
            name = str(template.resolve(p.get("PolicyName", lid))) if template.rtype(lid) == "AWS::IAM::Policy" else lid
            documents[name] = template.resolve(p["PolicyDocument"])
    return list(documents.items()), warnings


def _key_arn(template: Template, ref: Any) -> str | None:
    if not ref:
        return None
    ref = str(ref)
    if ref.startswith("arn:") and ":key/" in ref:
        return ref
    if ref.startswith("alias/") or ":alias/" in ref:
        alias = ref.split(":", 5)[-1]
        for lid in template.of_type("AWS::KMS::Alias"):
            p = template.resolve(template.props(lid))
            if p.get("AliasName") == alias:
                return _key_arn(template, p.get("TargetKeyId"))
        return None  # an AWS managed key (alias/aws/...) or one outside the template
    return template.arn("kms", f"key/{ref}")


def facts(template: Template) -> Facts:
    """Customer-managed keys of the template and what they encrypt; the SES identities."""
    keys = frozenset(str(template.get_att(lid, "Arn")) for lid in template.of_type("AWS::KMS::Key"))
    aliases = {}
    for lid in template.of_type("AWS::KMS::Alias"):
        p = template.resolve(template.props(lid))
        target = _key_arn(template, p.get("TargetKeyId"))
        if target:
            aliases[str(p["AliasName"])] = target
    queues = {}
    for lid in template.of_type("AWS::SQS::Queue"):
        key = _key_arn(template, template.resolve(template.props(lid).get("KmsMasterKeyId")))
        if key in keys:
            queues[str(template.get_att(lid, "Arn"))] = key
    buckets = {}
    for lid in template.of_type("AWS::S3::Bucket"):
        config = template.resolve(template.props(lid).get("BucketEncryption") or {})
        for rule in config.get("ServerSideEncryptionConfiguration", []):
            default = rule.get("ServerSideEncryptionByDefault") or {}
            key = _key_arn(template, default.get("KMSMasterKeyID"))
            if str(default.get("SSEAlgorithm", "")).startswith("aws:kms") and key in keys:
                buckets[str(template.ref(lid))] = key
    identities = frozenset(
        str(template.resolve(template.props(lid)["EmailIdentity"]))
        for lid in template.of_type("AWS::SES::EmailIdentity")
    )
    return Facts(cmk_arns=keys, kms_aliases=aliases, queue_keys=queues, bucket_keys=buckets, ses_identities=identities)
