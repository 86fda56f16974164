"""Create in moto every resource of the template that the functions use.

Each resource type is in exactly one of three lists:

- `PROVISIONERS`: created in moto by a handler below;
- `EMULATED`: served by another part of the local runtime (API Gateway, Lambda, event source mapping);
- `SKIPPED`: needs no local counterpart (each with its reason).

A type in none of them makes provisioning fail loudly (and `tests/unit/test_local_provision.py`
fails when the real template gains such a type).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local import aws
from local.template import Template, TemplateError

EMULATED: dict[str, str] = {
    "AWS::ApiGateway::RestApi": "served by local.apigw",
    "AWS::ApiGateway::Resource": "route tree of local.apigw",
    "AWS::ApiGateway::Method": "routes of local.apigw (integration, authorizer, validation, CORS mock)",
    "AWS::ApiGateway::Authorizer": "Cognito authorizer emulated by local.authorizer",
    "AWS::ApiGateway::GatewayResponse": "error bodies rendered by local.apigw",
    "AWS::ApiGateway::RequestValidator": "required parameters / body model checked by local.apigw",
    "AWS::ApiGateway::Model": "JSON schema used for body validation by local.apigw",
    "AWS::Lambda::Function": "runs in local worker processes (local.lambdas)",
    "AWS::Lambda::LayerVersion": "common-code layer put on the function's sys.path (local.lambdas)",
    "AWS::Lambda::EventSourceMapping": "SQS poller in local.esm",
    "AWS::Lambda::Alias": "resolved to its function by local.lambdas",
    "AWS::Lambda::Version": "resolved to its function by local.lambdas",
}

SKIPPED: dict[str, str] = {
    "AWS::CDK::Metadata": "CDK bookkeeping, no runtime effect",
    "AWS::IAM::Role": "function roles are created in moto IAM and enforced per function by local.iam",
    "AWS::IAM::Policy": "evaluated per function by local.iam (moto does not enforce IAM)",
    "AWS::IAM::ManagedPolicy": "evaluated per function by local.iam (moto does not enforce IAM)",
    "AWS::Lambda::Permission": "the local API Gateway calls functions directly",
    "AWS::Logs::LogGroup": "function and access logs go to the console",
    "AWS::Logs::MetricFilter": "no CloudWatch locally",
    "AWS::CloudWatch::Alarm": "no CloudWatch locally",
    "AWS::CloudWatch::Dashboard": "no CloudWatch locally",
    "AWS::SNS::Topic": "alarm topic and SES event topic: no CloudWatch and no SES events locally (tests put SES "
    "events straight on the provisioned events queue)",
    "AWS::SNS::TopicPolicy": "who may publish to the skipped topics",
    "AWS::SNS::Subscription": "the skipped topics' subscriptions (the events queue itself is provisioned)",
    "AWS::WAFv2::WebACL": "no WAF locally (documented gap: rate limits and managed rules)",
    "AWS::WAFv2::WebACLAssociation": "no WAF locally",
    "AWS::WAFv2::LoggingConfiguration": "no WAF locally",
    "AWS::ApiGateway::Deployment": "the local API serves the template's methods directly",
    "AWS::ApiGateway::Stage": "stage name is read by local.apigw; throttling/logging not emulated",
    "AWS::ApiGateway::Account": "CloudWatch role of API Gateway, account-level setting",
    "AWS::ApiGateway::UsagePlan": "throttling/quotas not emulated",
    "AWS::ApiGateway::UsagePlanKey": "throttling/quotas not emulated",
    "AWS::ApiGateway::ApiKey": "API keys not emulated",
    "AWS::S3::BucketPolicy": "SSL-only / deny policies; moto does not enforce bucket policies",
    "AWS::SQS::QueuePolicy": "SSL-only policies; moto does not enforce queue policies",
    "AWS::SES::ConfigurationSetEventDestination": "bounce/complaint events are not emulated (moto sends nothing back)",
    "AWS::SES::ConfigurationSet": "suppression list, TLS and reputation metrics; mail is kept by moto without it",
    "AWS::Route53::RecordSet": "DKIM CNAMEs of the SES domain (context sesHostedZoneId); no DNS locally",
    "AWS::Cognito::UserPoolDomain": "hosted UI / OAuth endpoints are not emulated by moto",
    "AWS::Cognito::UserPoolResourceServer": "OAuth scopes for client credentials; moto has no /oauth2/token",
    "AWS::Cognito::UserPoolRiskConfigurationAttachment": "advanced security not emulated",
    "AWS::KMS::ReplicaKey": "single region locally",
    "Custom::LogRetention": "log retention, no CloudWatch locally",
    "Custom::S3AutoDeleteObjects": "bucket clean-up on stack deletion",
    "Custom::AWS": "CDK AwsCustomResource; not run locally",
}


@dataclass
class Provisioner:
    template: Template
    endpoint: str
    created: list[tuple[str, str, str]] = field(default_factory=list)  # (type, logical id, physical)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (type, logical id)
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = aws.client(service, self.endpoint, self.template.region)
        return self._clients[service]

    def p(self, logical_id: str) -> dict[str, Any]:
        """The resource's properties with every intrinsic resolved."""
        return self.template.resolve(self.template.props(logical_id))

    def run(self) -> None:
        resources = self.template.active_resources()
        unknown = sorted({r["Type"] for r in resources.values()} - set(PROVISIONERS) - set(EMULATED) - set(SKIPPED))
        if unknown:
            raise TemplateError(
                "resource types neither provisioned nor explicitly skipped by the local runtime: "
                + ", ".join(unknown)
                + " (add them to local/provision.py)"
            )
        for logical_id in dependency_order(
            self.template, [lid for lid, r in resources.items() if r["Type"] in PROVISIONERS]
        ):
            rtype = resources[logical_id]["Type"]
            physical = PROVISIONERS[rtype](self, logical_id)
            self.created.append((rtype, logical_id, str(physical)))
        self.skipped = [(r["Type"], lid) for lid, r in resources.items() if r["Type"] not in PROVISIONERS]


def _refs(value: Any) -> set[str]:
    """Logical ids referenced from `value` (Ref, Fn::GetAtt, Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, list):
        for v in value:
            found |= _refs(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str):
                found.add(v)
            elif k == "Fn::GetAtt":
                found.add(v.split(".")[0] if isinstance(v, str) else v[0])
            elif k == "Fn::Sub":
                text = v if isinstance(v, str) else v[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
                if isinstance(v, list):
                    found |= _refs(v[1])
            else:
                found |= _refs(v)
    return found


def dependency_order(template: Template, logical_ids: list[str]) -> list[str]:
    wanted = set(logical_ids)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(lid: str) -> None:
        if state.get(lid) == 2:
            return
        if state.get(lid) == 1:
            raise TemplateError(f"dependency cycle at {lid}")
        state[lid] = 1
        res = template.resources[lid]
        deps = _refs(res.get("Properties", {}))
        depends_on = res.get("DependsOn", [])
        deps |= set([depends_on] if isinstance(depends_on, str) else depends_on)
        for dep in sorted(deps & wanted):
            visit(dep)
        state[lid] = 2
        order.append(lid)

    for lid in logical_ids:
        visit(lid)
    return order


# --------------------------------------------------------------------------- handlers
def _pick(props: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: props[k] for k in keys if k in props}


def dynamodb_table(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    name = pv.template.physical_name(lid)
    billing = props.get("BillingMode", "PROVISIONED")
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": billing,
    }
    throughput = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = props.get("ProvisionedThroughput") or throughput
    gsis = []
    for gsi in props.get("GlobalSecondaryIndexes", []):
        g = _pick(gsi, "IndexName", "KeySchema", "Projection")
        if billing == "PROVISIONED":
            g["ProvisionedThroughput"] = gsi.get("ProvisionedThroughput") or throughput
        gsis.append(g)
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    lsis = [_pick(i, "IndexName", "KeySchema", "Projection") for i in props.get("LocalSecondaryIndexes", [])]
    if lsis:
        kwargs["LocalSecondaryIndexes"] = lsis
    if props.get("StreamSpecification", {}).get("StreamViewType"):
        kwargs["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        }
    table = pv.client("dynamodb").create_table(**kwargs)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        pv.client("dynamodb").update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    pv.template.set_attrs(lid, Ref=name, Arn=table["TableArn"], StreamArn=table.get("LatestStreamArn", ""))
    return name


def kms_key(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    kwargs = _pick(props, "Description", "KeyUsage", "KeySpec")
    if isinstance(props.get("KeyPolicy"), dict):
        kwargs["Policy"] = json.dumps(props["KeyPolicy"])
    meta = pv.client("kms").create_key(**kwargs)["KeyMetadata"]
    if props.get("EnableKeyRotation"):
        pv.client("kms").enable_key_rotation(KeyId=meta["KeyId"])
    pv.template.set_attrs(lid, Ref=meta["KeyId"], Arn=meta["Arn"], KeyId=meta["KeyId"])
    return meta["KeyId"]


def kms_alias(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    target = str(props["TargetKeyId"]).split("/")[-1]
    pv.client("kms").create_alias(AliasName=props["AliasName"], TargetKeyId=target)
    pv.template.set_attrs(lid, Ref=props["AliasName"])
    return props["AliasName"]


def cognito_user_pool(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    kwargs = _pick(
        props,
        "Policies",
        "AutoVerifiedAttributes",
        "UsernameAttributes",
        "AliasAttributes",
        "UsernameConfiguration",
        "MfaConfiguration",
        "AccountRecoverySetting",
        "AdminCreateUserConfig",
    )
    if "AdminCreateUserConfig" in kwargs:
        kwargs["AdminCreateUserConfig"] = _pick(kwargs["AdminCreateUserConfig"], "AllowAdminCreateUserOnly")
    schema = props.get("Schema")
    if schema:
        kwargs["Schema"] = schema
    pool = pv.client("cognito-idp").create_user_pool(PoolName=pv.template.physical_name(lid), **kwargs)["UserPool"]
    pid = pool["Id"]
    region = pv.template.region
    pv.template.set_attrs(
        lid,
        Ref=pid,
        Arn=pool["Arn"],
        UserPoolId=pid,
        ProviderName=f"cognito-idp.{region}.amazonaws.com/{pid}",
        ProviderURL=f"https://cognito-idp.{region}.amazonaws.com/{pid}",
    )
    return pid


def cognito_group(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    name = pv.template.physical_name(lid)
    pv.client("cognito-idp").create_group(
        UserPoolId=props["UserPoolId"], GroupName=name, **_pick(props, "Description", "Precedence")
    )
    pv.template.set_attrs(lid, Ref=name)
    return name


def cognito_client(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    kwargs = _pick(
        props,
        "ExplicitAuthFlows",
        "GenerateSecret",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "PreventUserExistenceErrors",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient",
        "EnableTokenRevocation",
    )
    client = pv.client("cognito-idp").create_user_pool_client(
        UserPoolId=props["UserPoolId"], ClientName=pv.template.physical_name(lid), **kwargs
    )["UserPoolClient"]
    pv.template.set_attrs(
        lid,
        Ref=client["ClientId"],
        ClientId=client["ClientId"],
        Name=client["ClientName"],
        ClientSecret=client.get("ClientSecret", ""),
        UserPoolId=props["UserPoolId"],
    )
    return client["ClientId"]


def s3_bucket(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    name = pv.template.physical_name(lid)
    s3 = pv.client("s3")
    if pv.template.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": pv.template.region})
    status = props.get("VersioningConfiguration", {}).get("Status")
    if status:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    rules = props.get("CorsConfiguration", {}).get("CorsRules")
    if rules:
        api_rules = []
        for rule in rules:
            r = _pick(rule, "AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders", "ID")
            if "MaxAge" in rule:
                r["MaxAgeSeconds"] = int(rule["MaxAge"])
            api_rules.append(r)
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": api_rules})
    notifications = _bucket_notifications(props.get("NotificationConfiguration") or {})
    if notifications:
        # moto delivers ObjectCreated events (PUT and presigned POST) to the queues, like S3 does.
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notifications)
    region, suffix = pv.template.region, "amazonaws.com"
    pv.template.set_attrs(
        lid,
        Ref=name,
        Arn=f"arn:aws:s3:::{name}",
        DomainName=f"{name}.s3.{suffix}",
        RegionalDomainName=f"{name}.s3.{region}.{suffix}",
        WebsiteURL=f"http://{name}.s3-website-{region}.{suffix}",
        DualStackDomainName=f"{name}.s3.dualstack.{region}.{suffix}",
    )
    return name


def _bucket_notifications(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's NotificationConfiguration (queue part) in the S3 API's shape."""
    queues = []
    for item in config.get("QueueConfigurations", []):
        entry: dict[str, Any] = {"QueueArn": item["Queue"], "Events": [item["Event"]]}
        rules = item.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            entry["Filter"] = {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}
        queues.append(entry)
    unsupported = set(config) - {"QueueConfigurations"}
    if unsupported:
        raise TemplateError(f"bucket notifications not emulated locally: {', '.join(sorted(unsupported))}")
    return {"QueueConfigurations": queues} if queues else {}


def sqs_queue(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    name = pv.template.physical_name(lid)
    attributes: dict[str, str] = {}
    for key in (
        "VisibilityTimeout",
        "MessageRetentionPeriod",
        "DelaySeconds",
        "MaximumMessageSize",
        "ReceiveMessageWaitTimeSeconds",
        "FifoQueue",
        "ContentBasedDeduplication",
    ):
        if key in props:
            value = props[key]
            attributes[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if "RedrivePolicy" in props:
        policy = props["RedrivePolicy"]
        attributes["RedrivePolicy"] = policy if isinstance(policy, str) else json.dumps(policy)
    sqs = pv.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pv.template.set_attrs(lid, Ref=url, Arn=arn, QueueUrl=url, QueueName=name)
    return url


def ses_identity(pv: Provisioner, lid: str) -> str:
    identity = pv.p(lid)["EmailIdentity"]
    ses = pv.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    pv.template.set_attrs(lid, Ref=identity)
    return identity


def ses_template(pv: Provisioner, lid: str) -> str:
    tpl = dict(pv.p(lid)["Template"])
    tpl["TemplateName"] = pv.template.physical_name(lid)
    pv.client("ses").create_template(Template=_pick(tpl, "TemplateName", "SubjectPart", "TextPart", "HtmlPart"))
    pv.template.set_attrs(lid, Ref=tpl["TemplateName"], Id=tpl["TemplateName"])
    return tpl["TemplateName"]


def secret(pv: Provisioner, lid: str) -> str:
    props = pv.p(lid)
    kwargs = _pick(props, "Description", "KmsKeyId")
    if "SecretString" in props:
        kwargs["SecretString"] = props["SecretString"]
    else:
        gen = props.get("GenerateSecretString", {})
        value = pv.client("secretsmanager").get_random_password(
            **_pick(
                gen,
                "PasswordLength",
                "ExcludeCharacters",
                "ExcludePunctuation",
                "ExcludeUppercase",
                "ExcludeLowercase",
                "ExcludeNumbers",
                "IncludeSpace",
                "RequireEachIncludedType",
            )
        )["RandomPassword"]
        if gen.get("SecretStringTemplate") and gen.get("GenerateStringKey"):
            doc = json.loads(gen["SecretStringTemplate"])
            doc[gen["GenerateStringKey"]] = value
            value = json.dumps(doc)
        kwargs["SecretString"] = value
    arn = pv.client("secretsmanager").create_secret(Name=pv.template.physical_name(lid), **kwargs)["ARN"]
    pv.template.set_attrs(lid, Ref=arn, Id=arn)
    return arn


PROVISIONERS: dict[str, Callable[[Provisioner, str], str]] = {
    "AWS::DynamoDB::Table": dynamodb_table,
    "AWS::DynamoDB::GlobalTable": dynamodb_table,  # TableV2: same keys/GSIs; replicas are single-region locally
    "AWS::KMS::Key": kms_key,
    "AWS::KMS::Alias": kms_alias,
    "AWS::Cognito::UserPool": cognito_user_pool,
    "AWS::Cognito::UserPoolGroup": cognito_group,
    "AWS::Cognito::UserPoolClient": cognito_client,
    "AWS::S3::Bucket": s3_bucket,
    "AWS::SQS::Queue": sqs_queue,
    "AWS::SES::EmailIdentity": ses_identity,
    "AWS::SES::Template": ses_template,
    "AWS::SecretsManager::Secret": secret,
}

assert not (set(PROVISIONERS) & set(SKIPPED)) and not (set(EMULATED) & set(SKIPPED))
