"""Fault injection on moto (docs/faults.md): for each fault the user-visible answer and the proof that nothing
was lost or duplicated (counts of items, audit entries and messages before/after; then a retry that succeeds
once). The table of faults, answers and proofs is docs/faults.md; how faults are injected and why moto needs a
lock for races is in tests/integration/fault_support.py.

Faults covered elsewhere and referenced from docs/faults.md (not repeated here):
- Secrets Manager / KMS / DynamoDB faults on shared-service writes: test_share_services.py
  (test_secrets_manager_fault_on_create_is_503_and_writes_nothing ... test_fault_on_verification_secret_read_is_503).
- SES rejection then retry, outbox redelivery: test_delivery_worker.py (extended here: throttling, kill).
- Trámite notification redelivered after its acknowledgement: test_notifications_delivery.py.
"""

from __future__ import annotations

from collections import Counter

import boto3
import pytest

from sat_common import aws as sat_aws
from tests.conftest import FakeContext
from tests.integration.fault_support import failing, http_fault, kinds, no_backoff_sleep, queue_depth

THROTTLE = "ProvisionedThroughputExceededException"


def _problem(answer_status: int, body: dict, headers: dict, code: str) -> None:
    assert answer_status == 503, body
    assert body["code"] == code
    assert int(headers["retry-after"]) > 0


# =========================================================================== registration (POST /registrations)
from tests.integration.test_registration_flow import (  # noqa: E402
    aws_resources,  # noqa: F401 (fixture "aws")
    basic_data,
    call,
    free_person,
)


def _registration_state(queue_url: str) -> tuple:
    return kinds("main"), kinds("audit"), queue_depth(queue_url)


def test_registration_transient_throttle_is_absorbed_by_the_sdk_retry(aws):
    someone = free_person(6)
    with no_backoff_sleep() as delays, http_fault(aws_client("dynamodb"), "TransactWriteItems", THROTTLE) as fault:
        started = call("POST", "/registrations", basic_data(someone))
    assert started.status == 201, started  # the person never sees the throttle
    assert (fault.injected, fault.attempts, len(delays)) == (1, 2, 1)  # failed once, botocore retried once
    main, audit, _ = _registration_state(aws["queue_url"])
    assert main["PERSON/REGISTRATION_CLAIM"] == 1 and main["REGISTRATION/REGISTRATION"] == 1
    assert audit["audit:REGISTRATION_STARTED"] == 1


def test_registration_persistent_throttle_is_503_and_writes_nothing_then_the_retry_succeeds(aws):
    bystander, someone = free_person(7), free_person(8)
    assert call("POST", "/registrations", basic_data(bystander)).status == 201  # "before" is not empty
    before = _registration_state(aws["queue_url"])
    with no_backoff_sleep(), http_fault(aws_client("dynamodb"), "TransactWriteItems", THROTTLE, times=None) as fault:
        refused = call("POST", "/registrations", basic_data(someone))
    _problem(refused.status, refused.json, refused.headers, "SERVICE_UNAVAILABLE")
    assert refused.headers["content-type"] == "application/problem+json"
    assert fault.attempts == 4  # standard mode, max_attempts=3 retries: 4 attempts, then the 503
    after = _registration_state(aws["queue_url"])
    # The person's question seed is written before the transaction on purpose (distractors stable across
    # attempts; the retry reuses it): the only item allowed to appear. No claim, no registration.
    assert kinds_delta(before[0], after[0]) in ({}, {"PERSON/QUESTION_SEED": 1})
    assert after[1:] == before[1:]  # no audit entry, no message
    retried = call("POST", "/registrations", basic_data(someone))
    assert retried.status == 201, retried
    main, audit, _ = _registration_state(aws["queue_url"])
    assert main["PERSON/REGISTRATION_CLAIM"] == 2 and main["REGISTRATION/REGISTRATION"] == 2
    assert main["PERSON/QUESTION_SEED"] == 2 and audit["audit:REGISTRATION_STARTED"] == 2


def test_registration_audit_entry_commits_with_the_registration(aws):
    """The entry is part of the registration's transaction, not a separate PutItem after it: a failing
    PutItem on the audit table cannot leave a claim without its entry (or answer 503 after a commit)."""
    someone = free_person(9)
    before = _registration_state(aws["queue_url"])
    with no_backoff_sleep(), http_fault(sat_aws.table("audit").meta.client, "PutItem", THROTTLE, times=None) as fault:
        started = call("POST", "/registrations", basic_data(someone))
    assert started.status == 201, started
    assert fault.attempts == 0
    main, audit, _ = _registration_state(aws["queue_url"])
    assert main["PERSON/REGISTRATION_CLAIM"] == before[0]["PERSON/REGISTRATION_CLAIM"] + 1
    assert audit["audit:REGISTRATION_STARTED"] == before[1]["audit:REGISTRATION_STARTED"] + 1


def test_registration_race_two_writers_one_wins_the_other_409(aws):
    """Deterministic interleaving: writer B runs completely between writer A's checks and A's transaction."""
    someone = free_person(10)
    client = aws_client("dynamodb")
    other: list = []
    started = []

    def competitor(**_):
        if not started:  # only before writer A's first transaction; B's own transaction passes
            started.append(True)
            other.append(call("POST", "/registrations", basic_data(someone)))

    client.meta.events.register_first("before-call.dynamodb.TransactWriteItems", competitor, unique_id="race")
    try:
        first = call("POST", "/registrations", basic_data(someone))
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="race")
    assert other[0].status == 201, other[0]
    assert first.status == 409 and first.json["code"] == "REGISTRATION_IN_PROGRESS", first
    assert int(first.headers["retry-after"]) > 0
    main, audit, _ = _registration_state(aws["queue_url"])
    assert main["PERSON/REGISTRATION_CLAIM"] == 1 and main["REGISTRATION/REGISTRATION"] == 1
    assert audit["audit:REGISTRATION_STARTED"] == 1


def aws_client(service: str):
    return sat_aws.client(service)  # the function's own cached client (sat_common.aws), not a new one


def kinds_delta(before, after) -> dict:
    return {key: after[key] - before[key] for key in set(before) | set(after) if after[key] != before[key]}


# ========================================================= authorization (POST /employers/{nit}/authorizations)
from tests.integration.test_delegation_authorizations import PATH, _ready, authorization  # noqa: E402
from tests.integration.test_delegation_flow import delegation_env  # noqa: E402,F401 (fixture "env")
from tests.integration.test_delegation_flow import free_person as delegation_person  # noqa: E402


def _authorization_state(env) -> tuple:
    return kinds("main"), kinds("audit"), queue_depth(env.queue_url)


def test_authorization_transient_throttle_is_absorbed_by_the_sdk_retry(env):
    _rep, delegate = _ready(env)
    with no_backoff_sleep(), http_fault(aws_client("dynamodb"), "TransactWriteItems", THROTTLE) as fault:
        status, body = env.api("POST", PATH, authorization(delegation_person(10)), user=delegate)
    assert status == 201, body
    assert (fault.injected, fault.attempts) == (1, 2)
    main, audit, queued = _authorization_state(env)
    assert main["EMPLOYER/AUTH"] == 1 and main["PERSON/ROLE"] == 3  # rep + delegate grants + the new role
    assert audit["audit:AUTHORIZATION_CREATED"] == 1 and queued == 1


def test_authorization_persistent_throttle_is_503_and_writes_nothing_then_the_retry_succeeds(env):
    _rep, delegate = _ready(env)
    before = _authorization_state(env)
    with no_backoff_sleep(), http_fault(aws_client("dynamodb"), "TransactWriteItems", THROTTLE, times=None) as fault:
        status, body = env.api("POST", PATH, authorization(delegation_person(11)), user=delegate)
    assert (status, body["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert fault.attempts == 4
    assert _authorization_state(env) == before  # no authorization, no role, no audit entry, no e-mail
    status, body = env.api("POST", PATH, authorization(delegation_person(11)), user=delegate)
    assert status == 201, body
    main, audit, queued = _authorization_state(env)
    assert main["EMPLOYER/AUTH"] == 1 and audit["audit:AUTHORIZATION_CREATED"] == 1 and queued == before[2] + 1


def test_authorization_audit_entry_commits_with_the_authorization(env):
    """The entry is part of the authorization's transaction: a failing PutItem on the audit table cannot
    answer 503 for a person who is in fact authorized (and leave the notice unsent)."""
    _rep, delegate = _ready(env)
    before = _authorization_state(env)
    with no_backoff_sleep(), http_fault(sat_aws.table("audit").meta.client, "PutItem", THROTTLE, times=None) as fault:
        status, body = env.api("POST", PATH, authorization(delegation_person(12)), user=delegate)
    assert status == 201, body
    assert fault.attempts == 0
    main, audit, queued = _authorization_state(env)
    assert main["EMPLOYER/AUTH"] == before[0]["EMPLOYER/AUTH"] + 1
    assert audit["audit:AUTHORIZATION_CREATED"] == before[1]["audit:AUTHORIZATION_CREATED"] + 1
    assert queued == before[2] + 1


def test_authorization_race_two_writers_one_wins_the_other_409(env):
    rep, delegate = _ready(env)
    target = delegation_person(13)
    client = aws_client("dynamodb")
    other: list = []

    def competitor(**_):
        if not other:
            other.append(None)
            other[0] = env.api("POST", PATH, authorization(target, office="Sede B"), user=rep)

    client.meta.events.register_first("before-call.dynamodb.TransactWriteItems", competitor, unique_id="race")
    try:
        status, body = env.api("POST", PATH, authorization(target, office="Sede A"), user=delegate)
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="race")
    assert other[0][0] == 201, other[0]
    assert (status, body["code"]) == (409, "ALREADY_AUTHORIZED")
    main, audit, queued = _authorization_state(env)
    assert main["EMPLOYER/AUTH"] == 1 and audit["audit:AUTHORIZATION_CREATED"] == 1 and queued == 1


def test_outbox_queue_fault_after_the_commit_keeps_the_authorization_and_says_so(env, monkeypatch):
    """SQS down after the commit: the change stands (201), the missing e-mail is in the audit trail."""
    _rep, delegate = _ready(env)
    monkeypatch.setattr(aws_client("sqs"), "send_message", failing("SendMessage", "InternalError"))
    status, body = env.api("POST", PATH, authorization(delegation_person(14)), user=delegate)
    assert status == 201, body
    main, audit, queued = _authorization_state(env)
    assert main["EMPLOYER/AUTH"] == 1 and audit["audit:EMAIL_NOT_QUEUED"] == 1 and queued == 0


# =========================================================================== token endpoint: KMS Sign
from tests.integration import catalog_support as catalog  # noqa: E402
from tests.integration.ministry_support import people_pool  # noqa: E402


@pytest.fixture
def token_ccf(moto, monkeypatch):
    """catalog_support's "aws" fixture (not importable here: its name clashes with registration's) + a CCF."""
    from tests.integration.conftest import create_table

    create_table(catalog.MAIN, gsis=2)
    create_table(catalog.AUDIT)
    pool = boto3.client("cognito-idp").create_user_pool(PoolName="ccf-clients")["UserPool"]["Id"]
    queue_url = boto3.client("sqs").create_queue(QueueName="outbox")["QueueUrl"]
    key_id = boto3.client("kms").create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    for name, value in {
        "MAIN_TABLE_NAME": catalog.MAIN, "AUDIT_TABLE_NAME": catalog.AUDIT, "CLIENTS_USER_POOL_ID": pool,
        "OUTBOX_QUEUE_URL": queue_url, "PORTAL_BASE_URL": "https://portal.example.test",
        "TOKEN_SIGNING_KEY_ID": key_id, "PASSWORD_HASH_COST": "10",
        "PUBLIC_API_BASE_URL": "https://api.example.test",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    people_pool(monkeypatch)  # /admin checks the operator live (decision 0029)
    catalog._clear_settings()
    admin = "CC-79000003"
    catalog.create_services(admin)
    ccf = catalog.ready_ccf(catalog.FREE_CCFS[0], admin, catalog.person(20), ["solicitud-afiliacion"])
    yield ccf
    catalog._clear_settings()


def _token(ccf):
    client_id = ccf.services["solicitud-afiliacion"]
    return catalog.token_request({"grant_type": "client_credentials"}, basic=(client_id, catalog.GOOD_PASSWORD))


def test_kms_sign_fault_on_the_token_endpoint_is_503_and_issues_no_token(token_ccf, monkeypatch):
    # one CCF set-up (about 2 s: password hashing, pool, services) for every KMS case
    for issued_so_far, code in enumerate(["KMSInternalException", "DependencyTimeoutException"]):
        before = kinds(catalog.MAIN), kinds(catalog.AUDIT)
        monkeypatch.setattr(aws_client("kms"), "sign", failing("Sign", code))
        refused = _token(token_ccf)
        assert refused.status == 503, (code, refused.body)
        assert refused.json["code"] == "SERVICE_UNAVAILABLE"
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert int(refused.headers["Retry-After"]) > 0 and "access_token" not in refused.body
        # no token, no ACCESS_TOKEN_ISSUED, and the fault is not counted as a failed login of the client
        assert (kinds(catalog.MAIN), kinds(catalog.AUDIT)) == before
        monkeypatch.undo()
        issued = _token(token_ccf)
        assert issued.status == 200 and issued.json["access_token"]
        assert kinds(catalog.AUDIT)["audit:ACCESS_TOKEN_ISSUED"] == issued_so_far + 1
    # transient: the first Sign attempt is throttled, botocore's retry absorbs it
    with no_backoff_sleep(), http_fault(aws_client("kms"), "Sign", "ThrottlingException") as fault:
        issued = _token(token_ccf)
    assert issued.status == 200, issued.body
    assert (fault.injected, fault.attempts) == (1, 2)
    assert kinds(catalog.AUDIT)["audit:ACCESS_TOKEN_ISSUED"] == 3


# ======================================================================= outbox worker: SES faults, redelivery, kill
from tests.integration import test_delivery_worker  # noqa: E402
from tests.integration.test_delivery_worker import message as outbox_message  # noqa: E402
from tests.integration.test_delivery_worker import sqs_event  # noqa: E402

ses = test_delivery_worker.ses  # the fixture (SES identity, the welcome template, a fresh idempotency store)


class Killed(BaseException):
    """What the runtime does to a Lambda that times out or runs out of memory: nothing in Python catches it."""


class DyingContext(FakeContext):
    def get_remaining_time_in_millis(self) -> int:
        return 1  # the invocation's deadline: its in-progress idempotency records expire with it


def _sent(ses_client) -> int:
    return int(ses_client.get_send_quota()["SentLast24Hours"])


def test_ses_throttling_fails_only_that_record_which_is_sent_once_on_retry(ses, lambda_context, monkeypatch):
    from delivery.handler import lambda_handler

    client = aws_client("ses")
    real = client.send_templated_email
    calls = []

    def throttled_once(**kwargs):
        calls.append(kwargs["Destination"]["ToAddresses"][0])
        if len(calls) == 1:
            raise failing("SendTemplatedEmail", "Throttling")()
        return real(**kwargs)

    monkeypatch.setattr(client, "send_templated_email", throttled_once)
    first, second = outbox_message("a@example.com", "welcome-a"), outbox_message("b@example.com", "welcome-b")
    event = sqs_event(first, second)
    result = lambda_handler(event, lambda_context)
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert _sent(ses) == 1
    # SQS redelivers the failed record (here: the whole batch, the harsher case): each address gets one e-mail
    assert lambda_handler(sqs_event(first, second), lambda_context) == {"batchItemFailures": []}
    assert _sent(ses) == 2 and sorted(calls) == ["a@example.com", "a@example.com", "b@example.com"]


@pytest.mark.parametrize("code", ["MessageRejected", "MailFromDomainNotVerifiedException", "Throttling"])
def test_ses_error_on_a_single_record_batch_raises_for_a_lambda_retry_and_sends_nothing(
    ses, lambda_context, monkeypatch, code
):
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from delivery.handler import lambda_handler

    body = outbox_message(message_id=f"welcome-{code}")
    monkeypatch.setattr(aws_client("ses"), "send_templated_email", failing("SendTemplatedEmail", code))
    with pytest.raises(BatchProcessingError):
        lambda_handler(sqs_event(body), lambda_context)
    monkeypatch.undo()
    assert _sent(ses) == 0
    assert lambda_handler(sqs_event(body), lambda_context) == {"batchItemFailures": []}
    assert lambda_handler(sqs_event(body), lambda_context) == {"batchItemFailures": []}  # redelivered again
    assert _sent(ses) == 1


def test_the_same_outbox_message_twice_in_one_batch_is_sent_once(ses, lambda_context):
    from delivery.handler import lambda_handler

    body = outbox_message(message_id="welcome-dup")
    assert lambda_handler(sqs_event(body, body), lambda_context) == {"batchItemFailures": []}
    assert _sent(ses) == 1


def test_worker_killed_mid_batch_redelivery_sends_each_message_once(ses, lambda_context, monkeypatch):
    """The batch dies after the first e-mail was sent, while the second is being sent (before SES answers).
    SQS redelivers the whole batch after the visibility timeout: the first is recognised, the second sent."""
    import time

    from delivery.handler import lambda_handler

    client = aws_client("ses")
    real = client.send_templated_email
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["Destination"]["ToAddresses"][0])
        if len(calls) == 2:
            raise Killed
        return real(**kwargs)

    monkeypatch.setattr(client, "send_templated_email", dies_on_the_second)
    bodies = [outbox_message(f"p{index}@example.com", f"welcome-kill-{index}") for index in range(3)]
    with pytest.raises(Killed):
        lambda_handler(sqs_event(*bodies), DyingContext())
    assert _sent(ses) == 1
    time.sleep(0.01)  # past the dead invocation's deadline: its in-progress record has expired
    assert lambda_handler(sqs_event(*bodies), lambda_context) == {"batchItemFailures": []}
    assert lambda_handler(sqs_event(*bodies), lambda_context) == {"batchItemFailures": []}  # and once more
    assert _sent(ses) == 3
    assert calls == ["p0@example.com", "p1@example.com", "p1@example.com", "p2@example.com"]


# =========================================================================== trámite notification redelivered
from tests.integration.exchange_support import world_fixture  # noqa: E402,F401 (fixture "world")


def _record(message: dict, receive_count: int) -> dict:
    return {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": str(receive_count)}, "messageAttributes": {}, "md5OfBody": "",
        "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:notifications",
        "awsRegion": "us-east-1",
    }  # fmt: skip


def test_the_same_tramite_notification_delivered_twice_reaches_the_ccf_once(world):
    """SQS at-least-once: the same message twice in one batch and once more later -> one POST to the CCF."""
    from notifications.handler import lambda_handler

    world.register_notification_service()
    numero = world.file()["numeroTransaccion"]
    (message,) = world.messages()
    batch = {"Records": [_record(message, 1), _record(message, 2)]}
    assert lambda_handler(batch, FakeContext()) == {"batchItemFailures": []}
    assert lambda_handler({"Records": [_record(message, 3)]}, FakeContext()) == {"batchItemFailures": []}
    assert len(world.ccf.summary()["notifications"]) == 1
    outcomes = Counter(delivery["outcome"] for delivery in world.get(numero)["deliveries"])
    assert outcomes == {"ACUSADA": 1, "OMITIDA": 2}
    assert world.get(numero)["estado"] == "NOTIFICADA"
