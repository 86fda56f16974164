"""`python -m ops bootstrap` on moto, checked with the real registration function: the Ministry's services
are created once, the first administrator is a people-pool user in group `ministerio` whose e-mailed link is
accepted by POST /password-setup, and a second run changes nothing (decision 0070)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from ops.errors import OK, USAGE
from ops.target import Target
from tests.integration.fault_support import kinds
from tests.integration.test_registration_flow import (
    GOOD_PASSWORD,
    PORTAL,
    aws_resources,  # noqa: F401 (fixture "aws")
    call,
)

ADMIN = ["--admin", "CC-63173063", "--admin-email", "denis.perez@example.org"]
ADMIN += ["--admin-first-name", "Denis", "--admin-first-surname", "Pérez"]


@pytest.fixture
def ops(aws, monkeypatch):
    """Runs the CLI against the moto resources of the registration tests (the outputs a stack would have)."""
    from ops import cli

    target = Target(
        stack_name="SatCcf-test",
        region="us-east-1",
        outputs={
            "MainTableName": "main",
            "AuditTableName": "audit",
            "PeopleUserPoolId": aws["pool_id"],
            "OutboxQueueUrl": aws["queue_url"],
            "PortalBaseUrl": PORTAL,
        },
        _session=boto3.Session(),
    )
    monkeypatch.setattr(cli, "resolve_target", lambda args: target)

    def run(*argv: str) -> int:
        return cli.main(["--stage", "test", *argv])

    return run


def _mails(queue_url: str) -> list[dict]:
    sqs, found = boto3.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_bootstrap_creates_services_and_an_administrator_whose_link_works(ops, aws, capsys):
    assert ops("bootstrap", *ADMIN) == OK
    out = capsys.readouterr().out
    assert "created respuesta-tramite-ccf" in out and "d***@example.org" in out and "denis.perez" not in out
    services = (
        boto3.resource("dynamodb")
        .Table("main")
        .query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :s",
            ExpressionAttributeValues={":s": "SERVICES"},
        )["Items"]
    )
    assert sorted(s["serviceId"] for s in services) == [
        "recepcion-traslado-caja",
        "respuesta-tramite-ccf",
        "solicitud-afiliacion",
    ]
    idp = boto3.client("cognito-idp")
    groups = idp.admin_list_groups_for_user(UserPoolId=aws["pool_id"], Username="CC-63173063")["Groups"]
    assert [g["GroupName"] for g in groups] == ["ministerio"]

    (mail,) = _mails(aws["queue_url"])
    assert (mail["template"], mail["to"], mail["data"]["nombre"]) == (
        "operator-invitation",
        "denis.perez@example.org",
        "Denis Pérez",
    )
    link = urlsplit(mail["data"]["enlace"])
    assert f"{link.scheme}://{link.netloc}{link.path}" == f"{PORTAL}/asignar-contrasena"
    token = parse_qs(link.query)["token"][0]
    assert token not in mail["id"]

    body = {"token": token, "password": GOOD_PASSWORD, "passwordConfirmation": GOOD_PASSWORD}
    answer = call("POST", "/password-setup", body)
    assert answer.status == 204, answer  # the registration area accepts the link as its own
    assert call("POST", "/password-setup", body).status == 400  # single use, as any set-password link
    assert kinds("audit")["audit:OPERATOR_BOOTSTRAPPED"] == 1


def test_a_second_run_changes_nothing_and_dry_run_writes_nothing(ops, aws, capsys):
    assert ops("--dry-run", "bootstrap", *ADMIN) == OK
    assert "would create respuesta-tramite-ccf" in capsys.readouterr().out
    assert kinds("main") == {} and _mails(aws["queue_url"]) == []

    assert ops("bootstrap", *ADMIN) == OK
    before = kinds("main")
    assert len(_mails(aws["queue_url"])) == 1
    assert ops("bootstrap", *ADMIN) == OK
    out = capsys.readouterr().out
    assert "already there: respuesta-tramite-ccf" in out and "has not set a password yet" in out
    assert kinds("main") == before and _mails(aws["queue_url"]) == []  # no new link, no new e-mail

    assert ops("bootstrap", *ADMIN, "--resend-link") == OK
    assert len(_mails(aws["queue_url"])) == 1


def test_an_edited_service_is_not_overwritten(ops):
    assert ops("bootstrap", *ADMIN) == OK
    table = boto3.resource("dynamodb").Table("main")
    table.update_item(
        Key={"PK": "SERVICE#solicitud-afiliacion", "SK": "PROFILE"},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":s": "INACTIVE"},
    )
    assert ops("bootstrap", *ADMIN) == OK
    item = table.get_item(Key={"PK": "SERVICE#solicitud-afiliacion", "SK": "PROFILE"})["Item"]
    assert item["state"] == "INACTIVE"


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["--admin", "CC-0123", "--admin-email", "a@example.org"], "documentNumber"),
        (["--admin", "XX-123456", "--admin-email", "a@example.org"], "documentType"),
        (["--admin", "CC-63173063", "--admin-email", "not-an-address"], "email"),
    ],
)
def test_a_bad_administrator_is_a_usage_error_and_writes_nothing(ops, capsys, argv, field):
    names = ["--admin-first-name", "Denis", "--admin-first-surname", "Pérez"]
    assert ops("bootstrap", *argv, *names) == USAGE
    assert field in capsys.readouterr().err
    assert kinds("main") == {}
