"""local.iam: the policy evaluator, what each AWS call requires, the botocore guard, and one grant removed
from the synthesized template denying exactly the call that needs it."""

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from local.iam.actions import Facts, Requirement, Unmodelled, required
from local.iam.enforcement import Enforcement
from local.iam.guard import Guard
from local.iam.policy import Policy, PolicyError, glob_match
from local.iam.roles import facts, function_role, role_documents
from local.provision import Provisioner
from local.template import Template
from local.testing import moto_server

REGION, ACCOUNT = "us-east-1", "123456789012"
TEMPLATE = Path(__file__).resolve().parents[2] / "cdk.out" / "SatCcf-dev.template.json"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/main"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111-2222"


def policy(*statements: dict) -> Policy:
    return Policy.from_documents([("P", {"Version": "2012-10-17", "Statement": list(statements)})])


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# --------------------------------------------------------------------------------------------- evaluator
def test_wildcards_actions_case_insensitive_resources_case_sensitive():
    p = policy(allow("DynamoDB:Get*", f"{TABLE}*"), allow("s3:GetObjec?", "arn:aws:s3:::bucket/rut/*"))
    assert p.evaluate("dynamodb:GetItem", TABLE).allowed
    assert p.evaluate("dynamodb:getitem", f"{TABLE}/index/GSI1").allowed  # "*" spans "/"
    assert not p.evaluate("dynamodb:PutItem", TABLE).allowed
    assert not p.evaluate("dynamodb:GetItem", TABLE.replace("main", "Main")).allowed
    assert p.evaluate("s3:GetObject", "arn:aws:s3:::bucket/rut/1/2.pdf").allowed
    assert not p.evaluate("s3:GetObjectVersion", "arn:aws:s3:::bucket/rut/1.pdf").allowed  # "?" is one character
    assert not p.evaluate("s3:GetObject", "arn:aws:s3:::bucket/other/1.pdf").allowed
    assert glob_match("a?c*", "abcdef") and not glob_match("a?c", "abbc")


def test_explicit_deny_wins_and_names_the_statement():
    p = policy(allow("s3:*"), {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"})
    assert p.evaluate("s3:GetObject", "arn:aws:s3:::b/k").statement == "P#0"
    verdict = p.evaluate("s3:DeleteObject", "arn:aws:s3:::b/k")
    assert verdict.outcome == "explicit-deny" and verdict.statement == "NoDeletes"
    assert policy().evaluate("s3:GetObject", "arn:aws:s3:::b/k").outcome == "implicit-deny"


def test_not_action_and_not_resource():
    p = policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert p.evaluate("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q").allowed
    assert not p.evaluate("iam:CreateUser", "*").allowed
    q = policy({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/secret/*"})
    assert q.evaluate("s3:GetObject", "arn:aws:s3:::b/public/x").allowed
    assert not q.evaluate("s3:GetObject", "arn:aws:s3:::b/secret/x").allowed


def test_conditions_string_arn_bool_and_missing_keys():
    via_sqs = {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}
    p = policy(allow("kms:Decrypt", KEY, Condition=via_sqs))
    assert p.evaluate("kms:Decrypt", KEY, {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}).allowed
    assert p.evaluate("kms:Decrypt", KEY, {"KMS:VIASERVICE": "sqs.us-east-1.amazonaws.com"}).allowed  # keys: any case
    assert not p.evaluate("kms:Decrypt", KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com"}).allowed
    assert not p.evaluate("kms:Decrypt", KEY).allowed  # a missing key fails a positive operator

    like = policy(
        allow("sqs:SendMessage", "*", Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app-*"}})
    )
    assert like.evaluate("sqs:SendMessage", "q", {"aws:PrincipalArn": "arn:aws:iam::1:role/app-x"}).allowed
    assert not like.evaluate("sqs:SendMessage", "q", {"aws:PrincipalArn": "arn:aws:iam::1:role/other"}).allowed

    arn = policy(allow("s3:GetObject", "*", Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::bucket*"}}))
    assert arn.evaluate("s3:GetObject", "x", {"aws:SourceArn": "arn:aws:s3:::bucket-1"}).allowed
    assert not arn.evaluate("s3:GetObject", "x", {"aws:SourceArn": "arn:aws:sqs:::bucket-1"}).allowed  # per part

    tls = policy(allow("s3:*", "*", Condition={"Bool": {"aws:SecureTransport": True}}))
    assert tls.evaluate("s3:GetObject", "x", {"aws:SecureTransport": "true"}).allowed
    assert not tls.evaluate("s3:GetObject", "x", {"aws:SecureTransport": "false"}).allowed

    # A negated operator is satisfied by a missing key (IAM documentation), so this Deny applies.
    deny = policy(
        allow("s3:*"),
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
        },
    )
    assert deny.evaluate("s3:GetObject", "x", {"aws:RequestedRegion": "us-east-1"}).allowed
    assert deny.evaluate("s3:GetObject", "x", {"aws:RequestedRegion": "eu-west-1"}).outcome == "explicit-deny"
    assert deny.evaluate("s3:GetObject", "x").outcome == "explicit-deny"


def test_if_exists_set_operators_null_and_variables():
    if_exists = policy(allow("ses:SendEmail", "*", Condition={"StringEqualsIfExists": {"ses:FromAddress": "a@x.co"}}))
    assert if_exists.evaluate("ses:SendEmail", "i").allowed  # missing key: holds
    assert if_exists.evaluate("ses:SendEmail", "i", {"ses:FromAddress": "a@x.co"}).allowed
    assert not if_exists.evaluate("ses:SendEmail", "i", {"ses:FromAddress": "b@x.co"}).allowed

    any_value = policy(allow("ses:SendEmail", "*", Condition={"ForAnyValue:StringLike": {"ses:Recipients": "*@x.co"}}))
    assert any_value.evaluate("ses:SendEmail", "i", {"ses:Recipients": ("a@y.co", "b@x.co")}).allowed
    assert not any_value.evaluate("ses:SendEmail", "i", {"ses:Recipients": ("a@y.co",)}).allowed
    assert not any_value.evaluate("ses:SendEmail", "i").allowed  # ForAnyValue: no value, no match

    all_values = policy(
        allow("ses:SendEmail", "*", Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@x.co"}})
    )
    assert all_values.evaluate("ses:SendEmail", "i", {"ses:Recipients": ("a@x.co", "b@x.co")}).allowed
    assert not all_values.evaluate("ses:SendEmail", "i", {"ses:Recipients": ("a@x.co", "b@y.co")}).allowed
    assert all_values.evaluate("ses:SendEmail", "i").allowed  # ForAllValues: vacuously true

    null = policy(allow("s3:PutObject", "*", Condition={"Null": {"s3:x-amz-server-side-encryption": "false"}}))
    assert null.evaluate("s3:PutObject", "o", {"s3:x-amz-server-side-encryption": "aws:kms"}).allowed
    assert not null.evaluate("s3:PutObject", "o").allowed

    numeric = policy(allow("s3:ListBucket", "*", Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}}))
    assert numeric.evaluate("s3:ListBucket", "b", {"s3:max-keys": "5"}).allowed
    assert not numeric.evaluate("s3:ListBucket", "b", {"s3:max-keys": "50"}).allowed

    home = policy(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"))
    assert home.evaluate("s3:GetObject", "arn:aws:s3:::b/ana/x", {"aws:username": "ana"}).allowed
    assert not home.evaluate("s3:GetObject", "arn:aws:s3:::b/ana/x", {"aws:username": "bob"}).allowed
    assert not home.evaluate("s3:GetObject", "arn:aws:s3:::b/ana/x").allowed  # variable missing: no match


def test_unknown_operators_stop_rather_than_guess():
    with pytest.raises(PolicyError):
        policy(allow("s3:*", "*", Condition={"StringSortOf": {"k": "v"}}))
    with pytest.raises(PolicyError):
        policy({"Effect": "Allow", "Action": "s3:*"})  # no Resource


# --------------------------------------------------------------------------------------------- required()
def req(service, operation, params, facts_=None) -> list[tuple[str, str]]:
    return [(r.action, r.resource) for r in required(service, operation, params, REGION, ACCOUNT, facts_)]


def test_dynamodb_items_indexes_and_transactions_split_per_item():
    assert req("dynamodb", "PutItem", {"TableName": "main", "Item": {}}) == [("dynamodb:PutItem", TABLE)]
    assert req("dynamodb", "Query", {"TableName": "main", "IndexName": "GSI1"}) == [
        ("dynamodb:Query", f"{TABLE}/index/GSI1")
    ]
    assert req("dynamodb", "Scan", {"TableName": "main"}) == [("dynamodb:Scan", TABLE)]
    audit = TABLE.replace("main", "audit")
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "main", "Item": {}}},
            {"Update": {"TableName": "main", "Key": {}}},
            {"ConditionCheck": {"TableName": "main", "Key": {}}},
            {"Delete": {"TableName": "main", "Key": {}}},
            {"Put": {"TableName": "audit", "Item": {}}},
            {"Put": {"TableName": "main", "Item": {}}},  # the same action twice is checked once
        ]
    }
    assert req("dynamodb", "TransactWriteItems", transaction) == [
        ("dynamodb:PutItem", TABLE),
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:ConditionCheckItem", TABLE),
        ("dynamodb:DeleteItem", TABLE),
        ("dynamodb:PutItem", audit),
    ]
    assert req("dynamodb", "TransactGetItems", {"TransactItems": [{"Get": {"TableName": "main", "Key": {}}}]}) == [
        ("dynamodb:GetItem", TABLE)
    ]
    assert req("dynamodb", "BatchWriteItem", {"RequestItems": {"main": [], "audit": []}}) == [
        ("dynamodb:BatchWriteItem", TABLE),
        ("dynamodb:BatchWriteItem", audit),
    ]
    with pytest.raises(Unmodelled):
        required("dynamodb", "ExecuteStatement", {"Statement": "SELECT"}, REGION, ACCOUNT)
    with pytest.raises(Unmodelled):
        required("ec2", "DescribeInstances", {}, REGION, ACCOUNT)


QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:outbox"
QUEUE_URL = f"http://127.0.0.1:5010/{ACCOUNT}/outbox"
FACTS = Facts(
    cmk_arns=frozenset({KEY}),
    kms_aliases={"alias/app-data": KEY},
    queue_keys={QUEUE_ARN: KEY},
    bucket_keys={"rut-bucket": KEY},
    ses_identities=frozenset({"no-reply@example.com", "example.org"}),
)


def test_service_side_kms_for_sqs_s3_and_secrets_manager():
    send = required("sqs", "SendMessage", {"QueueUrl": QUEUE_URL, "MessageBody": "x"}, REGION, ACCOUNT, FACTS)
    assert [(r.action, r.resource) for r in send] == [
        ("sqs:SendMessage", QUEUE_ARN),
        ("kms:GenerateDataKey", KEY),
        ("kms:Decrypt", KEY),
    ]
    assert send[1].context["kms:ViaService"] == "sqs.us-east-1.amazonaws.com" and send[1].via == "sqs"
    assert req("sqs", "ReceiveMessage", {"QueueUrl": QUEUE_URL}, FACTS) == [
        ("sqs:ReceiveMessage", QUEUE_ARN),
        ("kms:Decrypt", KEY),
    ]
    assert req("sqs", "DeleteMessageBatch", {"QueueUrl": QUEUE_URL, "Entries": []}, FACTS) == [
        ("sqs:DeleteMessage", QUEUE_ARN)
    ]
    other = f"http://127.0.0.1:5010/{ACCOUNT}/plain"
    assert req("sqs", "SendMessage", {"QueueUrl": other, "MessageBody": "x"}, FACTS) == [
        ("sqs:SendMessage", other.replace(f"http://127.0.0.1:5010/{ACCOUNT}/", f"arn:aws:sqs:{REGION}:{ACCOUNT}:"))
    ]

    put = required("s3", "PutObject", {"Bucket": "rut-bucket", "Key": "rut/1.pdf"}, REGION, ACCOUNT, FACTS)
    assert [(r.action, r.resource) for r in put] == [
        ("s3:PutObject", "arn:aws:s3:::rut-bucket/rut/1.pdf"),
        ("kms:GenerateDataKey", KEY),
    ]
    assert put[1].context["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
    assert req("s3", "GetObject", {"Bucket": "rut-bucket", "Key": "k", "VersionId": "v1"}, FACTS) == [
        ("s3:GetObjectVersion", "arn:aws:s3:::rut-bucket/k"),
        ("kms:Decrypt", KEY),
    ]
    assert req("s3", "HeadObject", {"Bucket": "rut-bucket", "Key": "k"}, FACTS) == [
        ("s3:GetObject", "arn:aws:s3:::rut-bucket/k")
    ]
    assert req("s3", "DeleteObject", {"Bucket": "rut-bucket", "Key": "k", "VersionId": "v"}, FACTS) == [
        ("s3:DeleteObjectVersion", "arn:aws:s3:::rut-bucket/k")
    ]

    name = "app/shared/1"
    create = {"Name": name, "KmsKeyId": KEY, "SecretString": "{}", "Tags": [{"Key": "nit", "Value": "1"}]}
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-XXXXXX"
    assert req("secretsmanager", "CreateSecret", create, FACTS) == [
        ("secretsmanager:CreateSecret", secret_arn),
        ("secretsmanager:TagResource", secret_arn),
        ("kms:GenerateDataKey", KEY),
        ("kms:Decrypt", KEY),
    ]
    real_arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-AbC123"
    observed = Facts(cmk_arns=FACTS.cmk_arns, secret=lambda secret_id: (real_arn, KEY))
    get = required("secretsmanager", "GetSecretValue", {"SecretId": name}, REGION, ACCOUNT, observed)
    assert [(r.action, r.resource) for r in get] == [("secretsmanager:GetSecretValue", real_arn), ("kms:Decrypt", KEY)]
    assert get[1].context["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"
    aws_managed = Facts(cmk_arns=FACTS.cmk_arns, secret=lambda secret_id: (real_arn, "alias/aws/secretsmanager"))
    assert req("secretsmanager", "GetSecretValue", {"SecretId": name}, aws_managed) == [
        ("secretsmanager:GetSecretValue", real_arn)  # an AWS managed key needs no grant of the caller
    ]


def test_kms_cognito_ses_and_public_operations():
    sign = required("kms", "Sign", {"KeyId": "alias/app-data", "SigningAlgorithm": "RSASSA"}, REGION, ACCOUNT, FACTS)
    assert [(r.action, r.resource) for r in sign] == [("kms:Sign", KEY)]
    assert sign[0].context["kms:RequestAlias"] == "alias/app-data" and "kms:ViaService" not in sign[0].context
    assert req("kms", "GetPublicKey", {"KeyId": "1111-2222"}) == [("kms:GetPublicKey", KEY)]
    (encrypt,) = required("kms", "Encrypt", {"KeyId": KEY, "EncryptionContext": {"purpose": "totp"}}, REGION, ACCOUNT)
    assert encrypt.context["kms:EncryptionContext:purpose"] == "totp"
    assert encrypt.context["kms:EncryptionContextKeys"] == ("purpose",)

    pool = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_abc"
    assert req("cognito-idp", "AdminCreateUser", {"UserPoolId": "us-east-1_abc", "Username": "u"}) == [
        ("cognito-idp:AdminCreateUser", pool)
    ]
    assert req("cognito-idp", "InitiateAuth", {"ClientId": "c", "AuthFlow": "USER_PASSWORD_AUTH"}) == []

    mail = {
        "Source": "Portal <no-reply@example.com>",
        "Destination": {"ToAddresses": ["ana@x.co"]},
        "Template": "app-welcome",
        "TemplateData": "{}",
    }
    sent = required("ses", "SendTemplatedEmail", mail, REGION, ACCOUNT, FACTS)
    assert [(r.action, r.resource) for r in sent] == [
        ("ses:SendTemplatedEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/no-reply@example.com"),
        ("ses:SendTemplatedEmail", f"arn:aws:ses:{REGION}:{ACCOUNT}:template/app-welcome"),
    ]
    ctx = sent[0].context
    assert ctx["ses:FromAddress"] == "no-reply@example.com" and ctx["ses:FromDisplayName"] == "Portal"
    assert ctx["ses:Recipients"] == ("ana@x.co",)
    domain = required("ses", "SendEmail", {**mail, "Source": "info@example.org"}, REGION, ACCOUNT, FACTS)
    assert domain[0].resource == f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/example.org"  # only the domain is one
    assert req("sts", "GetCallerIdentity", {}) == []


# --------------------------------------------------------------------------------------------- the guard
def guard_config(tmp_path: Path, *statements: dict) -> dict:
    return {
        "function": "app-fn",
        "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/app-role/app-fn",
        "role_arn": f"arn:aws:iam::{ACCOUNT}:role/app-role",
        "region": REGION,
        "account": ACCOUNT,
        "policies": [["AppPolicy", {"Statement": list(statements)}]],
        "facts": FACTS.to_json(),
        "log": str(tmp_path / "decisions.jsonl"),
    }


def offline_client(service: str):
    # Denied calls never leave the process: nothing listens on this endpoint.
    return boto3.client(
        service,
        endpoint_url="http://127.0.0.1:9",
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def test_guard_answers_like_aws_and_logs_no_values(tmp_path, capsys):
    guard = Guard(guard_config(tmp_path, allow("sqs:SendMessage", QUEUE_ARN), allow("s3:GetObject", "*")))
    s3 = guard.attach(offline_client("s3"))
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket="rut-bucket", Key="rut/secret-name.pdf", Body=b"personal data")
    error = denied.value.response
    assert error["Error"]["Code"] == "AccessDenied" and error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/app-fn is not authorized to perform: s3:PutObject on "
        "resource: arn:aws:s3:::rut-bucket/rut/secret-name.pdf because no identity-based policy allows the "
        "s3:PutObject action"
    )

    sqs = guard.attach(offline_client("sqs"))
    with pytest.raises(ClientError) as denied:  # SQS may send, but not use the queue's key
        sqs.send_message(QueueUrl=QUEUE_URL, MessageBody="hola Ana")
    assert denied.value.response["Error"]["Code"] == "KMS.AccessDeniedException"
    assert "kms:GenerateDataKey" in denied.value.response["Error"]["Message"]

    dynamodb = guard.attach(offline_client("dynamodb"))
    with pytest.raises(ClientError) as denied:
        dynamodb.get_item(TableName="main", Key={"PK": {"S": "ana@x.co"}})
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    # A presigned POST makes no call: evaluated when signed, reported, and still returned (as AWS does).
    post = s3.generate_presigned_post(Bucket="rut-bucket", Key="rut/1.pdf")
    assert post["fields"]["key"] == "rut/1.pdf"
    assert "presigned PutObject will be refused" in capsys.readouterr().err

    lines = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [(d["operation"], d["action"], d["decision"]) for d in lines] == [
        ("s3.PutObject", "s3:PutObject", "deny"),
        ("sqs.SendMessage", "sqs:SendMessage", "allow"),
        ("sqs.SendMessage", "kms:GenerateDataKey", "deny"),
        ("dynamodb.GetItem", "dynamodb:GetItem", "deny"),
        ("s3.PutObject", "s3:PutObject", "deny"),
    ]
    assert lines[1]["statement"] == "AppPolicy#0" and lines[2]["via"] == "sqs" and lines[4]["caller"] == "presign"
    text = (tmp_path / "decisions.jsonl").read_text()
    assert "personal data" not in text and "hola Ana" not in text and "ana@x.co" not in text


def test_unmodelled_operations_are_allowed_and_logged(tmp_path):
    guard = Guard(guard_config(tmp_path))
    assert guard.check("dynamodb", "ExecuteStatement", {"Statement": "SELECT * FROM t"}) is None
    assert guard.check("ec2", "DescribeInstances", {}) is None
    decisions = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [(d["operation"], d["decision"]) for d in decisions] == [
        ("dynamodb.ExecuteStatement", "unmodelled"),
        ("ec2.DescribeInstances", "unmodelled"),
    ]
    assert "SELECT" not in (tmp_path / "decisions.jsonl").read_text()


# --------------------------------------------------------------------------------------------- the template
needs_template = pytest.mark.skipif(not TEMPLATE.exists(), reason="synthesize the app first (python infra/app.py)")


def _function(template: Template, area: str) -> str:
    return next(lid for lid in template.of_type("AWS::Lambda::Function") if lid.startswith(f"Functions{area}Function"))


@needs_template
def test_roles_and_facts_from_the_synthesized_template():
    template = Template.load(TEMPLATE)
    registration = _function(template, "Registration")
    role = function_role(template, registration)
    assert role is not None and role.startswith("FunctionsRegistrationRole")
    documents, warnings = role_documents(template, role)
    assert warnings == [] and len(documents) == 1
    found = facts(template)
    assert found.queue_keys and found.bucket_keys and "no-responder@example.com" in found.ses_identities
    # Every condition operator the template uses is understood.
    for lid in template.of_type("AWS::Lambda::Function"):
        role = function_role(template, lid)
        assert role is not None
        Policy.from_documents(role_documents(template, role)[0])


def remove_grant(doc: dict, policy_prefix: str, action: str) -> dict:
    """A copy of the template without `action` in one statement of the policy whose logical id starts so."""
    doc = copy.deepcopy(doc)
    (policy,) = [r for lid, r in doc["Resources"].items() if lid.startswith(policy_prefix)]
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if action in actions and "DataMainTable" in json.dumps(statement["Resource"]):
            statement["Action"] = [a for a in actions if a != action]
            return doc
    raise AssertionError(f"{action} not found in {policy_prefix}")


@needs_template
def test_one_grant_removed_denies_exactly_the_call_that_needs_it(tmp_path):
    """The registration start commits its claim, registration and audit entry in one transaction. Without
    `dynamodb:PutItem` on the main table in the registration role, that call - and only it - is denied."""
    original = json.loads(TEMPLATE.read_text())
    modified = remove_grant(original, "FunctionsRegistrationRoleDefaultPolicy", "dynamodb:PutItem")
    with moto_server() as endpoint:
        results: dict[str, Any] = {}
        for label, doc in (("original", original), ("modified", modified)):
            template = Template(doc=doc, stack_name="SatCcf-dev", cdk_out=TEMPLATE.parent)
            Provisioner(template, endpoint).run()
            lid = _function(template, "Registration")
            name = template.physical_name(lid)
            enforcement = Enforcement(template, tmp_path / label, endpoint, {lid: name})
            main, audit = template.ref("DataMainTable7D30227F"), template.ref("DataAuditTableD7A94F1A")
            dynamodb = enforcement.client(lid, "dynamodb", endpoint, REGION, caller="test")
            item = {"PK": {"S": f"TEST#{label}"}, "SK": {"S": "x"}}
            dynamodb.get_item(TableName=main, Key=item)  # allowed either way
            try:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": main, "Item": item}},
                        {"Put": {"TableName": audit, "Item": item}},
                    ]
                )
                results[label] = "ok"
            except ClientError as error:
                results[label] = error.response["Error"]
            dynamodb.put_item(TableName=audit, Item=item)  # another grant of the same role: untouched
            decisions = enforcement.decisions()
            results[f"{label}-denied"] = [(d["action"], d["resource"]) for d in decisions if d["decision"] != "allow"]
            results[f"{label}-allowed"] = len([d for d in decisions if d["decision"] == "allow"])
            httpx.post(f"{endpoint}/moto-api/reset", timeout=10)  # the second template from scratch

    main_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/sat-ccf-dev-main"
    assert results["original"] == "ok" and results["original-denied"] == []
    assert results["original-allowed"] == 4  # GetItem, PutItem main + audit (transaction), PutItem audit
    assert results["modified"]["Code"] == "AccessDeniedException"
    assert f"not authorized to perform: dynamodb:PutItem on resource: {main_arn}" in results["modified"]["Message"]
    assert results["modified-denied"] == [("dynamodb:PutItem", main_arn)]
    assert results["modified-allowed"] == 2  # GetItem on main, PutItem on audit


def test_requirement_is_a_plain_triple():
    action, resource, context = Requirement("s3:GetObject", "arn:aws:s3:::b/k", {})
    assert (action, resource, context) == ("s3:GetObject", "arn:aws:s3:::b/k", {})
