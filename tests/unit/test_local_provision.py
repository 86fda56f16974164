"""Provisioning from the template: every resource type is handled or explicitly skipped, and the
handlers create working resources in moto (hand-made template on a throw-away moto server)."""

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from local.provision import EMULATED, PROVISIONERS, SKIPPED, Provisioner, dependency_order
from local.template import Template, TemplateError
from local.testing import moto_server

REPO = Path(__file__).resolve().parents[2]
REAL_TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"


@pytest.fixture(scope="module")
def real_template() -> dict:
    if not REAL_TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    return json.loads(REAL_TEMPLATE.read_text())


def test_every_resource_type_of_the_real_template_is_provisioned_or_explicitly_skipped(real_template):
    types = {r["Type"] for r in real_template["Resources"].values()}
    unknown = types - set(PROVISIONERS) - set(EMULATED) - set(SKIPPED)
    assert not unknown, f"add these types to local/provision.py (PROVISIONERS or SKIPPED with a reason): {unknown}"


def test_every_skip_has_a_reason():
    assert all(reason.strip() for reason in {**SKIPPED, **EMULATED}.values())
    assert not set(PROVISIONERS) & set(SKIPPED)


def test_unknown_type_fails_loudly():
    t = Template(doc={"Resources": {"X": {"Type": "AWS::Made::Up"}}})
    with pytest.raises(TemplateError, match="AWS::Made::Up"):
        Provisioner(t, "http://127.0.0.1:1").run()


HAND_MADE = {
    "Resources": {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {"EnableKeyRotation": True, "KeyPolicy": {"Version": "2012-10-17", "Statement": []}},
        },
        "KeyAlias": {
            "Type": "AWS::KMS::Alias",
            "Properties": {"AliasName": "alias/app", "TargetKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
        },
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": "app-main",
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
                "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "G1", "G2")],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": "GSI1",
                        "Projection": {"ProjectionType": "ALL"},
                        "KeySchema": [
                            {"AttributeName": "G1", "KeyType": "HASH"},
                            {"AttributeName": "G2", "KeyType": "RANGE"},
                        ],
                    }
                ],
                "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
                "SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]}},
            },
        },
        "Pool": {
            "Type": "AWS::Cognito::UserPool",
            "Properties": {
                "UserPoolName": "people",
                "Policies": {"PasswordPolicy": {"MinimumLength": 12}},
                "Schema": [{"Name": "email", "Mutable": True, "Required": True}],
            },
        },
        "Group": {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"GroupName": "ministerio", "UserPoolId": {"Ref": "Pool"}},
        },
        "Client": {
            "Type": "AWS::Cognito::UserPoolClient",
            "Properties": {
                "UserPoolId": {"Ref": "Pool"},
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                "GenerateSecret": False,
            },
        },
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": {"Status": "Enabled"}}},
        # declared before its DLQ on purpose: provisioning follows references, not file order
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": "app-outbox",
                "VisibilityTimeout": 30,
                "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 2},
            },
        },
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "app-dlq"}},
        "Identity": {"Type": "AWS::SES::EmailIdentity", "Properties": {"EmailIdentity": "sender@example.com"}},
        "Tpl": {
            "Type": "AWS::SES::Template",
            "Properties": {
                "Template": {
                    "TemplateName": "app-welcome",
                    "SubjectPart": "Hola {{nombre}}",
                    "TextPart": "t",
                    "HtmlPart": "<p>h</p>",
                }
            },
        },
        "Secret": {
            "Type": "AWS::SecretsManager::Secret",
            "Properties": {
                "Name": "app/secret",
                "GenerateSecretString": {
                    "SecretStringTemplate": '{"user": "u"}',
                    "GenerateStringKey": "password",
                    "PasswordLength": 20,
                },
            },
        },
        "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    }
}


def test_dependency_order_follows_references():
    t = Template(doc=json.loads(json.dumps(HAND_MADE)))
    order = dependency_order(t, list(t.resources))
    assert order.index("Dlq") < order.index("Queue")
    assert order.index("Pool") < order.index("Client") and order.index("Key") < order.index("KeyAlias")


def test_provision_hand_made_template_twice():
    for _ in range(2):  # a second start (fresh moto) must not trip over anything left behind
        with moto_server() as endpoint:
            t = Template(doc=json.loads(json.dumps(HAND_MADE)), stack_name="App")
            pv = Provisioner(t, endpoint)
            pv.run()
            assert ("AWS::IAM::Role", "Role") in pv.skipped

            def client(name):
                return boto3.client(
                    name,
                    endpoint_url=endpoint,
                    region_name="us-east-1",
                    aws_access_key_id="test",
                    aws_secret_access_key="test",
                )

            table = client("dynamodb").describe_table(TableName="app-main")["Table"]
            assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"
            assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
            assert t.resolve({"Ref": "Table"}) == "app-main"

            pool_id = t.resolve({"Ref": "Pool"})
            idp = client("cognito-idp")
            assert [g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]] == ["ministerio"]
            app_client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=t.resolve({"Ref": "Client"}))
            assert "ALLOW_USER_PASSWORD_AUTH" in app_client["UserPoolClient"]["ExplicitAuthFlows"]
            assert t.resolve({"Fn::GetAtt": ["Pool", "ProviderURL"]}).endswith(pool_id)

            sqs = client("sqs")
            queue_url = t.resolve({"Ref": "Queue"})
            attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
            assert json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"] == t.resolve(
                {"Fn::GetAtt": ["Dlq", "Arn"]}
            )
            assert attrs["VisibilityTimeout"] == "30"

            assert client("s3").get_bucket_versioning(Bucket=t.resolve({"Ref": "Bucket"}))["Status"] == "Enabled"
            ses = client("ses")
            assert "sender@example.com" in ses.list_identities()["Identities"]
            assert ses.get_template(TemplateName="app-welcome")["Template"]["SubjectPart"] == "Hola {{nombre}}"
            secret = client("secretsmanager").get_secret_value(SecretId="app/secret")
            assert set(json.loads(secret["SecretString"])) == {"user", "password"}
            assert client("kms").list_aliases(KeyId=t.resolve({"Ref": "Key"}))["Aliases"][0]["AliasName"] == "alias/app"


def test_provision_the_real_template(real_template):
    with moto_server() as endpoint:
        t = Template(doc=real_template, stack_name="SatCcf-dev")
        pv = Provisioner(t, endpoint)
        pv.run()
        created_types = {rtype for rtype, _, _ in pv.created}
        assert {
            "AWS::DynamoDB::Table",
            "AWS::Cognito::UserPool",
            "AWS::SQS::Queue",
            "AWS::SES::Template",
        } <= created_types


def test_bucket_notifications_deliver_object_created_events_to_the_queue():
    """CloudFormation NotificationConfiguration (RUT uploads, decision 0031): moto delivers the event to SQS."""
    from urllib.parse import unquote_plus

    doc = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "uploads"}},
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": "uploads-bucket",
                    "NotificationConfiguration": {
                        "QueueConfigurations": [
                            {
                                "Event": "s3:ObjectCreated:*",
                                "Queue": {"Fn::GetAtt": ["Queue", "Arn"]},
                                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "rut/"}]}},
                            }
                        ]
                    },
                },
            },
        }
    }
    with moto_server() as endpoint:
        template = Template(doc=doc)
        Provisioner(template, endpoint).run()
        kwargs = {"endpoint_url": endpoint, "region_name": template.region}
        s3 = boto3.client("s3", aws_access_key_id="t", aws_secret_access_key="t", **kwargs)
        sqs = boto3.client("sqs", aws_access_key_id="t", aws_secret_access_key="t", **kwargs)
        url = sqs.get_queue_url(QueueName="uploads")["QueueUrl"]
        sqs.purge_queue(QueueUrl=url)  # the s3:TestEvent of the configuration call
        s3.put_object(Bucket="uploads-bucket", Key="other/x.pdf", Body=b"x")
        s3.put_object(Bucket="uploads-bucket", Key="rut/900000000/a.pdf", Body=b"%PDF-")
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        records = [record for m in messages for record in json.loads(m["Body"]).get("Records", [])]
        # keys arrive URL-encoded, as from S3
        assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["rut/900000000/a.pdf"]
        assert records[0]["eventName"].startswith("ObjectCreated")
