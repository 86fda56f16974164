"""Assertions on the synthesized SatCcf stack (one synth per session, see conftest)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template
from infra_synth import Synth

from infra.api_routes import API_FUNCTIONS, AUTHORIZER_FUNCTIONS, QUEUE_FUNCTIONS, ROUTES
from infra.components.email import TEMPLATE_KEYS

# Every resource type of the template. When this changes on purpose, update it here and make the
# local runtime (local/) provision or explicitly skip the new type.
EXPECTED_TYPES = {
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::GatewayResponse",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::CloudWatch::Alarm",  # infra/components/monitoring.py (decision 0073)
    "AWS::CloudWatch::Dashboard",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::DynamoDB::Table",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::KMS::Alias",
    "AWS::KMS::Key",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Permission",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SES::ConfigurationSet",  # bounces and complaints (decision 0072)
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::SES::EmailIdentity",
    "AWS::SES::Template",
    "AWS::SNS::Subscription",  # the SES events topic -> its queue; the alarm topic (decisions 0072, 0073)
    "AWS::SNS::Topic",
    "AWS::SNS::TopicPolicy",
    "AWS::SecretsManager::Secret",  # the portal's forwarding key (decision 0080)
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
    "AWS::WAFv2::LoggingConfiguration",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
}
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
ALL_FUNCTIONS = tuple(dict.fromkeys((*API_FUNCTIONS, *QUEUE_FUNCTIONS, *AUTHORIZER_FUNCTIONS)))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _getatt_arn_of_type(synth: Synth, value: Any, cfn_type: str) -> bool:
    """`value` is {"Fn::GetAtt": [<id>, "Arn"]} (or Ref) of a resource of `cfn_type` in the template."""
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id = value["Fn::GetAtt"][0]
    elif isinstance(value, dict) and "Ref" in value:
        logical_id = value["Ref"]
    else:
        return False
    return synth.resources.get(logical_id, {}).get("Type") == cfn_type


def _function_id(synth: Synth, area: str) -> str:
    name = f"sat-ccf-{synth.context['stage']}-{area}"
    (logical_id,) = [
        k for k, r in synth.of_type("AWS::Lambda::Function").items() if r["Properties"]["FunctionName"] == name
    ]
    return logical_id


def test_resource_types_are_the_expected_list(synth: Synth) -> None:
    assert {r["Type"] for r in synth.resources.values()} == EXPECTED_TYPES


def test_nag_report_is_clean(synth: Synth) -> None:
    report = json.loads((synth.outdir / "validation-report.json").read_text())
    assert report["pluginReports"] == []


def test_kms_keys_rotate_and_are_retained(synth: Synth) -> None:
    keys = synth.of_type("AWS::KMS::Key")
    # data, notifications queue, shared-service secrets, CCF token signing (0040), RUT uploads queue (0031),
    # trámite notifications queue and their signing key (decision 0062), TOTP secrets (decision 0029), SES events
    # topic and queue (decision 0072), alarm topic (decision 0073), the portal's sessions (decision 0080)
    assert len(keys) == 13  # + the next notification-signing key (decision 0104)
    for key in keys.values():
        assert key["DeletionPolicy"] == "RetainExceptOnCreate"  # decision 0074
        if key["Properties"].get("KeyUsage") == "SIGN_VERIFY":  # asymmetric: KMS cannot rotate it (decision 0040)
            assert key["Properties"]["KeySpec"] == "RSA_2048"
        else:
            assert key["Properties"]["EnableKeyRotation"] is True


def test_tables_are_cmk_encrypted_with_pitr_and_deletion_protection(synth: Synth) -> None:
    tables = synth.of_type("AWS::DynamoDB::Table")
    names = {t["Properties"]["TableName"] for t in tables.values()}
    stage = synth.context["stage"]
    assert names == {f"sat-ccf-{stage}-main", f"sat-ccf-{stage}-reference", f"sat-ccf-{stage}-audit"}
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["SSESpecification"]["SSEType"] == "KMS"
        assert _getatt_arn_of_type(synth, props["SSESpecification"]["KMSMasterKeyId"], "AWS::KMS::Key")
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["DeletionProtectionEnabled"] is True
        assert props["KeySchema"] == [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ]
        assert table["DeletionPolicy"] == "RetainExceptOnCreate"  # decision 0074


def test_main_table_has_gsis_and_ttl(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": Match.string_like_regexp(r"-main$"),
            "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "GSI2",
                    "KeySchema": [
                        {"AttributeName": "GSI2PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI2SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
            ],
        },
    )


def test_rut_bucket_is_kms_encrypted_versioned_logged_and_private(synth: Synth) -> None:
    buckets = synth.of_type("AWS::S3::Bucket")
    (rut,) = [b for b in buckets.values() if "LoggingConfiguration" in b["Properties"]]
    props = rut["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert _getatt_arn_of_type(synth, rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"], "AWS::KMS::Key")
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    assert any("AbortIncompleteMultipartUpload" in r for r in rules)
    assert _getatt_arn_of_type(
        synth, {"Ref": props["LoggingConfiguration"]["DestinationBucketName"]["Ref"]}, "AWS::S3::Bucket"
    )
    for bucket in buckets.values():
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }


def _denies_insecure_transport(statements: list[dict[str, Any]]) -> bool:
    return any(
        s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in statements
    )


def test_every_bucket_and_queue_has_an_ssl_only_policy(synth: Synth) -> None:
    for policy_type, target_key, resource_type in (
        ("AWS::S3::BucketPolicy", "Bucket", "AWS::S3::Bucket"),
        ("AWS::SQS::QueuePolicy", "Queues", "AWS::SQS::Queue"),
    ):
        covered: set[str] = set()
        for policy in synth.of_type(policy_type).values():
            props = policy["Properties"]
            assert _denies_insecure_transport(props["PolicyDocument"]["Statement"])
            covered.update(t["Ref"] for t in _as_list(props[target_key]))
        assert covered == set(synth.of_type(resource_type))


def test_queues_are_cmk_encrypted_and_the_outbox_has_a_dlq(synth: Synth) -> None:
    queues = synth.of_type("AWS::SQS::Queue")
    for queue in queues.values():
        assert _getatt_arn_of_type(synth, queue["Properties"]["KmsMasterKeyId"], "AWS::KMS::Key")
    target = synth.context["notificationTargetName"]
    (outbox_id,) = [k for k, q in queues.items() if q["Properties"]["QueueName"] == target]
    (dlq_id,) = [k for k, q in queues.items() if q["Properties"]["QueueName"] == f"{target}-dlq"]
    redrive = queues[outbox_id]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 5}


def test_delivery_event_source_mapping_reports_batch_item_failures(synth: Synth) -> None:
    mappings = synth.of_type("AWS::Lambda::EventSourceMapping").values()
    delivery = [m for m in mappings if m["Properties"]["FunctionName"] == {"Ref": _function_id(synth, "delivery")}]
    # the outbox, and the SES bounce and complaint events (decision 0072)
    (esm,) = [
        m
        for m in delivery
        if "email-events" not in synth.props(m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0])["QueueName"]
    ]
    props = esm["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["FunctionName"] == {"Ref": _function_id(synth, "delivery")}
    queue_id = props["EventSourceArn"]["Fn::GetAtt"][0]
    assert synth.props(queue_id)["QueueName"] == synth.context["notificationTargetName"]


def _method_paths(synth: Synth) -> dict[tuple[str, str], dict[str, Any]]:
    """(HTTP method, path) -> Method properties, rebuilt from the Resource tree."""
    resources = synth.of_type("AWS::ApiGateway::Resource")

    def path_of(ref: Any) -> str:
        if isinstance(ref, dict) and "Fn::GetAtt" in ref:  # RootResourceId
            return ""
        props = resources[ref["Ref"]]["Properties"]
        return f"{path_of(props['ParentId'])}/{props['PathPart']}"

    portal_apis = [
        {"Ref": k}
        for k, r in synth.of_type("AWS::ApiGateway::RestApi").items()
        if r["Properties"]["Name"].endswith("-portal")
    ]  # the portal's own RestApi (decision 0080) is not the API of infra/api_routes.py
    return {
        (m["Properties"]["HttpMethod"], path_of(m["Properties"]["ResourceId"]) or "/"): m["Properties"]
        for m in synth.of_type("AWS::ApiGateway::Method").values()
        if m["Properties"]["RestApiId"] not in portal_apis
    }


def test_every_route_is_a_method_and_every_method_is_authorized_or_explicitly_public(synth: Synth) -> None:
    methods = _method_paths(synth)
    public = {(r.method, r.path) for r in ROUTES if r.auth == "public"}
    person = {(r.method, r.path) for r in ROUTES if r.auth == "person"}
    ccf_system = {(r.method, r.path) for r in ROUTES if r.auth == "ccf_system"}
    non_preflight = {key for key in methods if key[0] != "OPTIONS"}
    assert non_preflight == public | person | ccf_system
    authorizers = synth.of_type("AWS::ApiGateway::Authorizer")
    for key, props in methods.items():
        if key[0] == "OPTIONS":  # CORS preflight: mock integration, never reaches a function
            assert props["Integration"]["Type"] == "MOCK"
            assert props["AuthorizationType"] == "NONE"
        elif key in public:
            assert props["AuthorizationType"] == "NONE", key
        elif key in ccf_system:  # CCF systems' tokens: the Lambda TOKEN authorizer (decision 0040)
            assert props["AuthorizationType"] == "CUSTOM", key
            authorizer = authorizers[props["AuthorizerId"]["Ref"]]["Properties"]
            assert authorizer["Type"] == "TOKEN" and authorizer["AuthorizerResultTtlInSeconds"] == 60
            assert _function_id(synth, "ccf_authorizer") in json.dumps(authorizer["AuthorizerUri"])
        else:
            assert props["AuthorizationType"] == "COGNITO_USER_POOLS", key
            authorizer = authorizers[props["AuthorizerId"]["Ref"]]["Properties"]
            assert authorizer["Type"] == "COGNITO_USER_POOLS"


def test_each_route_integrates_its_function_with_lambda_proxy_and_validation(synth: Synth) -> None:
    methods = _method_paths(synth)
    for route in ROUTES:
        props = methods[(route.method, route.path)]
        assert props["Integration"]["Type"] == "AWS_PROXY"
        uri = json.dumps(props["Integration"]["Uri"])
        assert _function_id(synth, route.function) in uri
        assert "RequestValidatorId" in props


def test_stage_has_access_logs_throttling_and_tracing(template: Template) -> None:
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.any_value()},
            "TracingEnabled": True,
            "MethodSettings": Match.array_with(
                [
                    Match.object_like(
                        {"ThrottlingRateLimit": Match.any_value(), "ThrottlingBurstLimit": Match.any_value()}
                    )
                ]
            ),
        },
    )


def test_gateway_responses_are_spanish_problem_json(synth: Synth) -> None:
    portal_apis = [
        k for k, r in synth.of_type("AWS::ApiGateway::RestApi").items() if r["Properties"]["Name"].endswith("-portal")
    ]  # the portal's own errors are pages (decision 0088, tests/infra/test_portal_edge.py)
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["RestApiId"] not in [{"Ref": api} for api in portal_apis]
    }
    for required in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "WAF_FILTERED"):
        assert required in responses
    for response_type, props in responses.items():
        assert props["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        body = json.loads(props["ResponseTemplates"]["application/json"])
        assert {"type", "title", "status", "detail", "code"} <= body.keys(), response_type
        assert str(body["status"]) == props["StatusCode"]


def test_waf_web_acl_has_managed_rules_and_rate_rule_on_the_stage(synth: Synth) -> None:
    # the API's web ACL; the portal's own (decision 0088) is tested in tests/infra/test_portal_edge.py
    ((acl_id, acl),) = [
        (k, a) for k, a in synth.of_type("AWS::WAFv2::WebACL").items() if a["Properties"]["Name"].endswith("-api")
    ]
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    groups = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in props["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert groups == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    assert any("RateBasedStatement" in r["Statement"] for r in props["Rules"])
    # The common rule set's 8 KB body rule only counts; BodySizeLimit blocks over 8 KB except the catalog.
    (common,) = [r for r in props["Rules"] if r["Name"] == "AWSManagedRulesCommonRuleSet"]
    overrides = common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"ActionToUse": {"Count": {}}, "Name": "SizeRestrictions_BODY"}]
    (body_rule,) = [r for r in props["Rules"] if r["Name"] == "BodySizeLimit"]
    assert "Block" in body_rule["Action"]
    size, exempt = body_rule["Statement"]["AndStatement"]["Statements"]
    assert size["SizeConstraintStatement"]["Size"] == 8192
    assert size["SizeConstraintStatement"]["FieldToMatch"]["Body"]["OversizeHandling"] == "MATCH"
    assert "admin/services" in exempt["NotStatement"]["Statement"]["RegexMatchStatement"]["RegexString"]
    associations = synth.of_type("AWS::WAFv2::WebACLAssociation").values()
    # each stage behind exactly one web ACL: the API's stage behind this one, the portal's behind its own
    assert len(associations) == len(synth.of_type("AWS::ApiGateway::Stage")) == 2
    for stage_id in synth.of_type("AWS::ApiGateway::Stage"):
        assert sum(stage_id in json.dumps(a["Properties"]["ResourceArn"]) for a in associations) == 1, stage_id
    assert sum(a["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]} for a in associations) == 1


def test_people_pool_and_clients_pool(synth: Synth) -> None:
    pools = {
        p["Properties"]["UserPoolName"]: (k, p["Properties"])
        for k, p in synth.of_type("AWS::Cognito::UserPool").items()
    }
    stage = synth.context["stage"]
    people_id, people = pools[f"sat-ccf-{stage}-people"]
    clients_id, _ = pools[f"sat-ccf-{stage}-ccf-clients"]
    assert people["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    for rule in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"):
        assert people["Policies"]["PasswordPolicy"][rule] is False
    assert "AliasAttributes" not in people and "UsernameAttributes" not in people  # plain username sign-in
    assert people["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {
        g["Properties"]["GroupName"]: g["Properties"] for g in synth.of_type("AWS::Cognito::UserPoolGroup").values()
    }
    assert groups["ministerio"]["UserPoolId"] == {"Ref": people_id}
    (client,) = synth.of_type("AWS::Cognito::UserPoolClient").values()  # no clients in the CCF pool yet
    assert client["Properties"]["UserPoolId"] == {"Ref": people_id}
    # confidential, server-side only (decision 0027; tests/infra/test_identity_hardening.py has the rest)
    assert set(client["Properties"]["ExplicitAuthFlows"]) == {
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["Properties"]["GenerateSecret"] is True
    assert clients_id != people_id


def test_ses_identity_and_templates(synth: Synth) -> None:
    (identity,) = synth.of_type("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == synth.context["senderEmail"]
    templates = {
        t["Properties"]["Template"]["TemplateName"]: t["Properties"]["Template"]
        for t in synth.of_type("AWS::SES::Template").values()
    }
    stage = synth.context["stage"]
    assert set(templates) == {f"sat-ccf-{stage}-{key}" for key in TEMPLATE_KEYS}
    welcome = templates[f"sat-ccf-{stage}-welcome"]
    for part in ("HtmlPart", "TextPart"):
        assert "{{enlace}}" in welcome[part] and "{{nombre}}" in welcome[part]
    for template in templates.values():
        assert template["SubjectPart"] and template["HtmlPart"] and template["TextPart"]


def test_functions_runtime_handler_tracing_layers_and_own_role(synth: Synth) -> None:
    functions = synth.of_type("AWS::Lambda::Function")
    assert len(functions) == len(ALL_FUNCTIONS) + 1  # the portal (decision 0080)
    roles = [f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()]
    assert len(set(roles)) == len(roles), "every function has its own role"
    for area in (*ALL_FUNCTIONS, "portal"):
        props = synth.props(_function_id(synth, area))
        assert props["Runtime"] == "python3.13"
        assert props["Architectures"] == ["arm64"]
        assert props["Handler"] == f"{area}.handler.lambda_handler"
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert len(props["Layers"]) == 2
        log_group = synth.props(props["LoggingConfig"]["LogGroup"]["Ref"])
        assert log_group["RetentionInDays"] > 0
        role = synth.props(props["Role"]["Fn::GetAtt"][0])
        assert "ManagedPolicyArns" not in role
        assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_function_environments_follow_the_architecture_table(synth: Synth) -> None:
    stage = synth.context["stage"]
    common = {"STAGE", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}
    expected = {
        "catalog": common
        | {"CORS_ALLOWED_ORIGINS", "MAIN_TABLE_NAME", "AUDIT_TABLE_NAME", "CLIENTS_USER_POOL_ID", "OUTBOX_QUEUE_URL"}
        | {"SENDER_EMAIL", "PORTAL_BASE_URL"}
        | {"PEOPLE_USER_POOL_ID"}  # the live /admin check (decision 0029)
        | {"PUBLIC_API_BASE_URL"}  # token URL, endpoints, Swagger's server (decision 0054)
        | {"PORTAL_FORWARDING_SECRET_ARN"},  # the §6 pages forward the person's address (decision 0080)
        "oauth": common
        | {"CORS_ALLOWED_ORIGINS", "MAIN_TABLE_NAME", "AUDIT_TABLE_NAME", "TOKEN_SIGNING_KEY_ID"}
        | {"PUBLIC_API_BASE_URL"},  # the tokens' issuer and the RFC 8414 metadata (decision 0100)
        "ccf_authorizer": common | {"MAIN_TABLE_NAME", "TOKEN_SIGNING_KEY_ID", "PUBLIC_API_BASE_URL"},
        "delivery": common | {"SENDER_EMAIL", "EMAIL_TEMPLATE_PREFIX", "PORTAL_BASE_URL", "MAIN_TABLE_NAME"},
    }
    for area, keys in expected.items():
        env = synth.props(_function_id(synth, area))["Environment"]["Variables"]
        assert set(env) == keys, area
        assert env["STAGE"] == stage
        assert env["POWERTOOLS_SERVICE_NAME"] == area
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "SatCcf"
    catalog = synth.props(_function_id(synth, "catalog"))["Environment"]["Variables"]
    assert catalog["CORS_ALLOWED_ORIGINS"] == ",".join(synth.context["corsAllowedOrigins"])
    delivery = synth.props(_function_id(synth, "delivery"))["Environment"]["Variables"]
    assert delivery["EMAIL_TEMPLATE_PREFIX"] == f"sat-ccf-{stage}-"
    assert delivery["SENDER_EMAIL"] == synth.context["senderEmail"]
    assert _getatt_arn_of_type(synth, delivery["MAIN_TABLE_NAME"], "AWS::DynamoDB::Table")


def _statements_of_role(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def test_catalog_oauth_authorizer_and_delivery_get_only_what_they_need(synth: Synth) -> None:
    def actions(area: str) -> set[str]:
        role_id = synth.props(_function_id(synth, area))["Role"]["Fn::GetAtt"][0]
        return {a for s in _statements_of_role(synth, role_id) for a in _as_list(s["Action"])}

    base = {"logs:CreateLogStream", "logs:PutLogEvents"} | XRAY_ACTIONS
    catalog = actions("catalog") - base
    assert {a for a in catalog if a.startswith("cognito-idp:")} == {
        "cognito-idp:CreateUserPoolClient",
        "cognito-idp:DeleteUserPoolClient",
        "cognito-idp:AdminGetUser",  # the live /admin check of the people pool (decision 0029)
        "cognito-idp:AdminListGroupsForUser",
    }
    assert not {a for a in catalog if a.startswith(("kms:Sign", "kms:GetPublicKey", "s3:"))}
    # secrets: only the portal's forwarding key, read to believe the §6 pages' forwarded address (decision 0080)
    role_id = synth.props(_function_id(synth, "catalog"))["Role"]["Fn::GetAtt"][0]
    secret_statements = [
        s
        for s in _statements_of_role(synth, role_id)
        if any(str(a).startswith("secretsmanager:") for a in _as_list(s["Action"]))
    ]
    assert [_as_list(s["Action"]) for s in secret_statements] == [["secretsmanager:GetSecretValue"]]
    assert "PortalForwardingKey" in json.dumps(secret_statements[0]["Resource"])
    # its four items in one BatchGetItem, nothing else of the table (decision 0112)
    assert {a for a in actions("ccf_authorizer") - base if not a.startswith("kms:")} == {"dynamodb:BatchGetItem"}
    assert "kms:GetPublicKey" in actions("ccf_authorizer") and "kms:Sign" not in actions("ccf_authorizer")
    assert "kms:Sign" in actions("oauth")
    delivery = actions("delivery")
    assert "ses:SendTemplatedEmail" in delivery
    assert {a for a in delivery if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= delivery


def test_no_wildcard_actions_and_resource_star_only_for_xray(synth: Synth) -> None:
    documents = [p["Properties"]["PolicyDocument"] for p in synth.of_type("AWS::IAM::Policy").values()]
    documents += [
        pol["PolicyDocument"]
        for r in synth.of_type("AWS::IAM::Role").values()
        for pol in r["Properties"].get("Policies", [])
    ]
    for document in documents:
        for statement in document["Statement"]:
            actions = _as_list(statement["Action"])
            assert "*" not in actions
            assert not any(a.endswith(":*") for a in actions), statement
            if statement["Effect"] == "Allow" and "*" in _as_list(statement.get("Resource")):
                assert set(actions) <= XRAY_ACTIONS, statement


def test_function_assets_hold_only_their_own_package(synth: Synth) -> None:
    for area in ALL_FUNCTIONS:
        resource = synth.resources[_function_id(synth, area)]
        asset = synth.outdir / resource["Metadata"]["aws:asset:path"]
        assert (asset / area / "handler.py").is_file()
        others = {p.name for p in asset.iterdir()} - {area}
        assert not others, f"{area} asset also contains {others}"
    for layer in synth.of_type("AWS::Lambda::LayerVersion").values():
        assert (synth.outdir / layer["Metadata"]["aws:asset:path"] / "python").is_dir()
