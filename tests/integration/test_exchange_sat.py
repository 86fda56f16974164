"""The /sat services on moto: pull (own trámites only, JWE to the CCF's key), the answer (once, idempotent,
concurrent), transfers (validated, own state), each with its audit entries."""

import json
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from joserfc.jwk import ECKey

from examples.sample_ccf.ministry import decrypt
from sat_common import clock
from tests.integration.exchange_support import CCF_NIT, EMPLOYER, OTHER_NIT, system_context, world_fixture  # noqa: F401

PULL, ANSWER, TRANSFER = "solicitud-afiliacion", "respuesta-tramite-ccf", "recepcion-traslado-caja"


def _pull(world, numero, nit=CCF_NIT, service=PULL):
    return world.exchange("POST", "/sat/solicitud-afiliacion", context=system_context(nit, service),
                          body={"numeroTransaccion": numero})  # fmt: skip


def _answer_body(tramite, **overrides):
    body = {
        "NumeroTransaccion": tramite["numeroTransaccion"], "TipoDocumentoEmpleador": "NI",
        "NumeroDocumentoEmpleador": EMPLOYER["nit"], "SerialSat": tramite["serialSat"], "ResultadoTramite": 1,
        "FechaEfectivaAfiliacion": "2026-12-01", "MotivoRechazo": None, "NumeroRadicadoSolicitud": "RAD-1",
    }  # fmt: skip
    body.update(overrides)
    return body


def _answer(world, body, nit=CCF_NIT):
    return world.exchange("POST", "/sat/respuesta-tramite-ccf", context=system_context(nit, ANSWER), body=body)


def _header(response, name):
    values = (response.get("multiValueHeaders") or {}).get(name) or []
    return (response.get("headers") or {}).get(name) or (values[0] if values else None)


def _audit(numero, entity="TRAMITE"):
    items = (
        boto3.resource("dynamodb")
        .Table("audit-table")
        .query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"AUDIT#{entity}#{numero}"})[
            "Items"
        ]
    )
    return [item["action"] for item in items]


@pytest.mark.parametrize("registered", ["nothing", "active_without_key", "key_not_verified"])
def test_the_pull_is_never_in_clear(world, registered):
    """Decision 0061 (as changed by 0054): without an ACTIVE notification service with a key, 409 problem+json."""
    if registered == "active_without_key":
        world.register_notification_service()
    elif registered == "key_not_verified":
        world.register_notification_service(public_key=world.ccf.public_key_pem, status="PENDING_VERIFICATION")
    tramite = world.file()
    response = _pull(world, tramite["numeroTransaccion"])
    assert response["statusCode"] == 409 and _header(response, "Content-Type") == "application/problem+json"
    problem = json.loads(response["body"])
    assert problem["code"] == "CCF_KEY_NOT_ACTIVE" and "notificación de trámites" in problem["detail"]
    assert EMPLOYER["nit"] not in response["body"] and "Gómez" not in response["body"]  # no personal data
    assert world.get(tramite["numeroTransaccion"])["pulledAt"] is None
    assert _audit(tramite["numeroTransaccion"]).count("SAT_PULL_REFUSED") == 1


def test_pull_is_a_jwe_the_ccf_private_key_decrypts(world):
    world.register_notification_service(public_key=world.ccf.public_key_pem)
    tramite = world.file()
    response = _pull(world, tramite["numeroTransaccion"])
    assert _header(response, "Content-Type") == "application/jose"
    header = json.loads(__import__("base64").urlsafe_b64decode(response["body"].split(".")[0] + "=="))
    assert (header["alg"], header["enc"]) == ("RSA-OAEP-256", "A256GCM")
    document = decrypt(response["body"], world.ccf.private_key)
    assert document["numeroTransaccion"] == tramite["numeroTransaccion"]
    assert document["representanteLegal"]["primerApellido"] == "Gómez"
    assert document["empleador"]["numeroDocumento"] == EMPLOYER["nit"]
    assert {"numeroTransaccion", "serialSat", "codigoNovedad", "representanteLegal", "sede", "consentimientos"} <= set(
        document
    )
    assert world.get(tramite["numeroTransaccion"])["pulledAt"]
    assert "SAT_PULL" in _audit(tramite["numeroTransaccion"])


def test_pull_to_an_ec_key_uses_ecdh_es(world):
    key = ECKey.generate_key("P-256")
    world.register_notification_service(public_key=key.as_pem(private=False).decode())
    tramite = world.file()
    response = _pull(world, tramite["numeroTransaccion"])
    assert decrypt(response["body"], key)["serialSat"] == tramite["serialSat"]


def test_another_ccfs_transaction_does_not_exist_and_other_tokens_are_refused(world):
    tramite = world.file()
    other = _pull(world, tramite["numeroTransaccion"], nit=OTHER_NIT)
    assert other["statusCode"] == 404 and json.loads(other["body"])["code"] == "TRAMITE_NOT_FOUND"
    assert _pull(world, "999")["statusCode"] == 404
    assert _pull(world, tramite["numeroTransaccion"], service=ANSWER)["statusCode"] == 403
    anonymous = world.exchange("POST", "/sat/solicitud-afiliacion", body={"numeroTransaccion": "1"})
    assert anonymous["statusCode"] == 401
    assert "SAT_PULL_REFUSED" in _audit(tramite["numeroTransaccion"])


def test_approved_answer_finishes_the_tramite_and_emails_the_employer(world):
    tramite = world.file()
    response = _answer(world, _answer_body(tramite))
    assert response["statusCode"] == 200, response["body"]
    ack = json.loads(response["body"])
    assert ack["NumeroTransaccion"] == tramite["numeroTransaccion"] and ack["Estado"] == "RECIBIDA"
    shown = world.get(tramite["numeroTransaccion"])
    assert shown["estado"] == "APROBADA" and shown["answer"]["NumeroRadicadoSolicitud"] == "RAD-1"
    (mail,) = world.messages(world.outbox_url)
    body = json.loads(mail["Body"])
    assert body["template"] == "tramite-result" and body["to"] == "contacto@empresa-ejemplo.co"
    assert body["data"]["resultado"] == "APROBADA" and body["data"]["fechaEfectiva"] == "01/12/2026"


def test_answer_rules(world):
    tramite = world.file()
    rejected_without_reason = _answer(world, _answer_body(tramite, ResultadoTramite=2, FechaEfectivaAfiliacion=None))
    assert rejected_without_reason["statusCode"] == 422
    errors = json.loads(rejected_without_reason["body"])["errors"]
    assert errors == [
        {"field": "MotivoRechazo", "message": "Es obligatorio cuando ResultadoTramite es 2 (no aprobado)."}
    ]
    approved_without_date = _answer(world, _answer_body(tramite, FechaEfectivaAfiliacion=None))
    assert json.loads(approved_without_date["body"])["errors"][0]["field"] == "FechaEfectivaAfiliacion"
    wrong_employer = _answer(world, _answer_body(tramite, NumeroDocumentoEmpleador="900000001", SerialSat="X"))
    fields = {e["field"] for e in json.loads(wrong_employer["body"])["errors"]}
    assert fields == {"NumeroDocumentoEmpleador", "SerialSat"}
    assert _answer(world, _answer_body(tramite), nit=OTHER_NIT)["statusCode"] == 404
    assert world.get(tramite["numeroTransaccion"])["estado"] == "PENDIENTE"


def test_answer_is_idempotent_and_accepted_once(world):
    tramite = world.file()
    first = _answer(world, _answer_body(tramite))
    replay = _answer(world, _answer_body(tramite))
    assert replay["statusCode"] == 200 and _header(replay, "Idempotent-Replayed") == "true"
    assert json.loads(replay["body"]) == json.loads(first["body"])
    different = _answer(world, _answer_body(tramite, ResultadoTramite=2, FechaEfectivaAfiliacion=None,
                                            MotivoRechazo="otra"))  # fmt: skip
    assert different["statusCode"] == 409 and json.loads(different["body"])["code"] == "ANSWER_ALREADY_RECORDED"
    assert world.get(tramite["numeroTransaccion"])["estado"] == "APROBADA"
    assert len(world.messages(world.outbox_url)) == 1


def test_fifty_parallel_identical_answers_record_exactly_one(world):
    from exchange import sat_services as logic
    from exchange.config import settings
    from exchange.models import SatRespuesta
    from sat_common.audit import Actor

    tramite = world.file()
    request = SatRespuesta.model_validate(_answer_body(tramite))
    system = logic.System(nit=CCF_NIT, service_id=ANSWER, client_id="c")
    config = settings()

    def call(_):
        try:
            return logic.answer(config, system, request, Actor("client:c"))[1]
        except Exception as error:
            return f"{type(error).__name__}: {error}"

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(call, range(50)))
    assert results.count(False) == 1, [r for r in results if r is not True]  # one recorded it ...
    assert results.count(True) == 49  # ... every other call is a replay of the same acknowledgement
    assert _audit(tramite["numeroTransaccion"]).count("SAT_ANSWER_RECORDED") == 1
    ids = {json.loads(m["Body"])["id"] for m in world.messages(world.outbox_url)}
    assert ids == {f"tramite-result-{tramite['numeroTransaccion']}"}


def _transfer_body(**overrides):
    body = {
        "NumeroTransaccion": "4560001", "TipoDocumentoEmpleador": "NI", "NumeroDocumentoEmpleador": EMPLOYER["nit"],
        "NitCajaOrigen": OTHER_NIT, "NitCajaDestino": CCF_NIT, "FechaSolicitud": clock.now().date().isoformat(),
        "FechaEfectivaTraslado": "2030-01-01", "Motivo": "Cambio de domicilio principal",
    }  # fmt: skip
    body.update(overrides)
    return body


def _transfer(world, body, nit=CCF_NIT):
    return world.exchange("POST", "/sat/recepcion-traslado-caja", context=system_context(nit, TRANSFER), body=body)


def test_transfer_is_recorded_with_its_own_state_once(world):
    response = _transfer(world, _transfer_body())
    assert response["statusCode"] == 200, response["body"]
    ack = json.loads(response["body"])
    assert ack["Estado"] == "RECIBIDA" and ack["NumeroRadicado"].endswith("-4560001")
    item = (
        boto3.resource("dynamodb").Table("main-table").get_item(Key={"PK": "TRASLADO#4560001", "SK": "PROFILE"})["Item"]
    )
    assert item["estado"] == "RECIBIDA" and item["receivedFrom"] == CCF_NIT
    replay = _transfer(world, _transfer_body())
    assert _header(replay, "Idempotent-Replayed") == "true"
    conflict = _transfer(world, _transfer_body(Motivo="otro"))
    assert conflict["statusCode"] == 409
    assert "SAT_TRANSFER_RECORDED" in _audit("4560001", "TRASLADO")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"NitCajaDestino": OTHER_NIT}, "NitCajaDestino"),  # same caja
        ({"FechaEfectivaTraslado": "2000-01-01"}, "FechaEfectivaTraslado"),
        ({"FechaSolicitud": "2999-01-01", "FechaEfectivaTraslado": None}, "FechaSolicitud"),
        ({"NitCajaOrigen": "899999999"}, "NitCajaOrigen"),  # not an active CCF
        ({"NumeroDocumentoEmpleador": "12"}, "NumeroDocumentoEmpleador"),
        ({"NitCajaOrigen": "89878101"}, "NitCajaOrigen"),
    ],
)
def test_transfer_validation(world, overrides, field):
    response = _transfer(world, _transfer_body(**overrides))
    assert response["statusCode"] == 422, response["body"]
    assert field in {e["field"] for e in json.loads(response["body"])["errors"]}


def test_transfer_from_a_ccf_that_is_not_a_party(world):
    body = _transfer_body(NitCajaOrigen=OTHER_NIT, NitCajaDestino=CCF_NIT)
    response = _transfer(world, body, nit="899999998")
    assert response["statusCode"] == 422
    assert {e["field"] for e in json.loads(response["body"])["errors"]} >= {"NitCajaOrigen"}
