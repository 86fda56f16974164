"""Concurrency: 50 parallel attempts on each uniqueness rule through the real lambda_handler,
exactly one success, every other attempt the defined answer, and the stored counts prove one.

- the same document's registration (POST /registrations): one 201, 49 × 409 REGISTRATION_IN_PROGRESS;
- the same person's authorization for a CCF (POST /employers/{nit}/authorizations): one 201, 49 × 409
  ALREADY_AUTHORIZED (test_delegation_authorizations.py has the 8-thread version);
- the answer to a trámite (POST /sat/respuesta-tramite-ccf) with two competing bodies: one recorded; the same
  body again is a 200 replay (Idempotent-Replayed), the other body 409 ANSWER_ALREADY_RECORDED
  (test_exchange_sat.py::test_fifty_parallel_identical_answers_record_exactly_one calls the logic directly).

moto applies each request atomically here as DynamoDB does (tests/integration/conftest.py,
local.moto_server). The code under test runs unserialised in 50 threads; the conditions decide who wins.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sat_common import aws as sat_aws
from tests.integration.fault_support import kinds

PARALLEL = 50


def _race(attempt: Any) -> list[Any]:
    """Run attempt(i) for i in 0..49 in 50 threads released together."""
    barrier = threading.Barrier(PARALLEL)

    def run(index: int) -> Any:
        barrier.wait()
        try:
            return attempt(index)
        except Exception as error:  # an exception is a finding, not a crash of the test
            return f"{type(error).__name__}: {error}"

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(run, range(PARALLEL)))


def _warm_clients(*services: str, tables: tuple[str, ...] = ()) -> None:
    """boto3 client creation from one session is not thread-safe: create the cached clients before the race."""
    for service in services:
        sat_aws.client(service)
    for name in tables:
        sat_aws.table(name)


# --------------------------------------------------------------------------- same document registration
from tests.integration.test_registration_flow import aws_resources, basic_data, call, free_person  # noqa: E402,F401


def test_fifty_parallel_registrations_of_the_same_document_start_one(aws):
    _warm_clients("dynamodb", "cognito-idp", "sqs", tables=("main", "reference", "audit"))
    someone = free_person(11)
    answers = _race(lambda _: call("POST", "/registrations", basic_data(someone)))
    statuses = Counter(getattr(answer, "status", answer) for answer in answers)
    assert statuses == {201: 1, 409: PARALLEL - 1}, statuses
    assert {answer.json["code"] for answer in answers if answer.status == 409} == {"REGISTRATION_IN_PROGRESS"}
    main, audit = kinds("main"), kinds("audit")
    assert main["PERSON/REGISTRATION_CLAIM"] == 1 and main["REGISTRATION/REGISTRATION"] == 1
    assert main["PERSON/QUESTION_SEED"] == 1
    assert audit["audit:REGISTRATION_STARTED"] == 1
    (winner,) = [answer for answer in answers if answer.status == 201]
    claim = sat_aws.table("main").get_item(
        Key={"PK": f"PERSON#CC-{someone['documentNumber']}", "SK": "REGISTRATION_CLAIM"}
    )["Item"]
    assert claim["registrationId"] == winner.json["registrationId"]


# --------------------------------------------------------------------------- same authorization
from tests.integration.test_delegation_authorizations import PATH, _ready, authorization  # noqa: E402
from tests.integration.test_delegation_flow import delegation_env  # noqa: E402,F401 (fixture "env")
from tests.integration.test_delegation_flow import free_person as delegation_person  # noqa: E402


def test_fifty_parallel_authorizations_of_the_same_person_create_one(env):
    rep, delegate = _ready(env)
    _warm_clients("dynamodb", "sqs", tables=("main", "reference", "audit"))
    target = delegation_person(16)
    before = kinds("main")
    answers = _race(
        lambda index: env.api(
            "POST", PATH, authorization(target, office=f"Sede {index}"), user=(rep, delegate)[index % 2]
        )
    )
    statuses = Counter(answer[0] if isinstance(answer, tuple) else answer for answer in answers)
    assert statuses == {201: 1, 409: PARALLEL - 1}, statuses
    assert {body["code"] for status, body in answers if status == 409} == {"ALREADY_AUTHORIZED"}
    main, audit = kinds("main"), kinds("audit")
    assert main["EMPLOYER/AUTH"] == 1 and main["PERSON/ROLE"] == before["PERSON/ROLE"] + 1
    assert audit["audit:AUTHORIZATION_CREATED"] == 1
    assert [mail["template"] for mail in env.emails()] == ["authorization-notice"]
    listed = env.api("GET", PATH, user=rep, query={"limit": "100"})[1]["items"]
    assert len(listed) == 1


# --------------------------------------------------------------------------- same answer to a trámite
from tests.integration.exchange_support import CCF_NIT, EMPLOYER, system_context, world_fixture  # noqa: E402,F401


def _answer_body(tramite: dict[str, Any], approved: bool) -> dict[str, Any]:
    return {
        "NumeroTransaccion": tramite["numeroTransaccion"], "TipoDocumentoEmpleador": "NI",
        "NumeroDocumentoEmpleador": EMPLOYER["nit"], "SerialSat": tramite["serialSat"],
        "ResultadoTramite": 1 if approved else 2, "FechaEfectivaAfiliacion": "2026-12-01" if approved else None,
        "MotivoRechazo": None if approved else "Documentación incompleta", "NumeroRadicadoSolicitud": "RAD-1",
    }  # fmt: skip


def _header(response: dict[str, Any], name: str) -> str | None:
    values = (response.get("multiValueHeaders") or {}).get(name) or []
    return (response.get("headers") or {}).get(name) or (values[0] if values else None)


def test_fifty_parallel_answers_to_one_tramite_record_one(world):
    tramite = world.file()
    _warm_clients("dynamodb", "sqs", "kms", tables=("main-table", "audit-table"))
    context = system_context(CCF_NIT, "respuesta-tramite-ccf")

    def attempt(index: int) -> dict[str, Any]:
        body = _answer_body(tramite, approved=index % 2 == 0)
        return world.exchange("POST", "/sat/respuesta-tramite-ccf", context=context, body=body)

    answers = _race(attempt)
    assert all(isinstance(answer, dict) for answer in answers), [a for a in answers if not isinstance(a, dict)]
    fresh = [i for i, a in enumerate(answers) if a["statusCode"] == 200 and _header(a, "Idempotent-Replayed") != "true"]
    assert len(fresh) == 1, Counter(a["statusCode"] for a in answers)
    winner_parity = fresh[0] % 2
    same = [a for i, a in enumerate(answers) if i % 2 == winner_parity and i != fresh[0]]
    different = [a for i, a in enumerate(answers) if i % 2 != winner_parity]
    assert all(a["statusCode"] == 200 and _header(a, "Idempotent-Replayed") == "true" for a in same)
    assert all(json.loads(a["body"]) == json.loads(answers[fresh[0]]["body"]) for a in same)  # the same acknowledgement
    assert {(a["statusCode"], json.loads(a["body"])["code"]) for a in different} == {(409, "ANSWER_ALREADY_RECORDED")}
    assert world.get(tramite["numeroTransaccion"])["estado"] == ("APROBADA" if winner_parity == 0 else "RECHAZADA")
    main, audit = kinds("main-table"), kinds("audit-table")
    assert main["TRAMITE/ANSWER"] == 1 and audit["audit:SAT_ANSWER_RECORDED"] == 1
    # A replay that finds the answer without emailQueuedAt queues the e-mail again (it cannot tell a concurrent
    # winner from one that died before queueing): at least once, always with the same id, so the delivery worker
    # sends it once (test_faults.py::test_the_same_outbox_message_twice_in_one_batch_is_sent_once).
    mails = world.messages(world.outbox_url)
    assert mails and {json.loads(m["Body"])["id"] for m in mails} == {f"tramite-result-{tramite['numeroTransaccion']}"}
