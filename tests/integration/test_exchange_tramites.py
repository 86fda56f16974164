"""POST/GET /admin/tramites on moto: Ministry only, every invalid field a 422 in Spanish, nothing half-written."""

import json

import boto3

from sat_common import tramites
from tests.integration.exchange_support import CCF_NIT, MINISTRY, PERSON, tramite_body, world_fixture  # noqa: F401


def _fields(response):
    return {error["field"]: error["message"] for error in json.loads(response["body"])["errors"]}


def test_the_ministry_files_a_tramite_and_a_notification_is_queued(world):
    tramite = world.file(numeroTransaccion="20261126000001", serialSat="SAT-1")
    assert tramite["estado"] == "PENDIENTE" and tramite["ccfNit"] == CCF_NIT
    assert tramite["pullUrl"] == "https://api.example/sat/solicitud-afiliacion"
    assert tramite["fechaVigencia"] > tramite["fechaCreacion"][:10]
    (message,) = world.messages()
    assert json.loads(message["Body"]) == {
        "kind": "tramite-notification", "id": "sat-notificacion-20261126000001",
        "numeroTransaccion": "20261126000001", "generation": 0,
    }  # fmt: skip
    assert world.get("20261126000001")["serialSat"] == "SAT-1"


def test_only_the_ministry(world):
    response = world.exchange("POST", "/admin/tramites", claims=PERSON, body=tramite_body())
    assert response["statusCode"] == 403
    assert world.exchange("POST", "/admin/tramites", body=tramite_body())["statusCode"] == 401


def test_every_invalid_field_is_named_in_spanish(world):
    body = tramite_body()
    body["empleador"]["digitoVerificacion"] = str((int(body["empleador"]["digitoVerificacion"]) + 1) % 10)
    body["sede"]["municipio"] = "05001"  # Medellín is not in Bogotá
    body["sede"]["correoElectronico"] = "no-es-correo"
    body["representanteLegal"]["numeroDocumento"] = "12"
    body["fechaVigencia"] = "2020-01-01"
    body["sobrante"] = 1
    response = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=body)
    assert response["statusCode"] == 422
    fields = _fields(response)
    assert fields["empleador.digitoVerificacion"] == "El dígito de verificación no corresponde al NIT."
    assert "DIVIPOLA" in fields["sede.municipio"]
    assert "correo" in fields["sede.correoElectronico"]
    assert "representanteLegal.numeroDocumento" in fields and "sobrante" in fields
    english = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body={"ccfNit": "1"})
    assert english["statusCode"] == 422


def test_past_vigencia_and_inactive_ccf_are_422(world):
    past = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body(fechaVigencia="2020-01-01"))
    assert _fields(past) == {"fechaVigencia": "La fecha no puede ser anterior a hoy."}
    inactive = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body(ccf_nit="899999999"))
    assert list(_fields(inactive)) == ["ccfNit"]
    assert world.messages() == []


def test_a_transaction_number_is_filed_once(world):
    world.file(numeroTransaccion="777")
    again = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body(numeroTransaccion="777"))
    assert again["statusCode"] == 409 and json.loads(again["body"])["code"] == "TRAMITE_EXISTS"


def test_unknown_tramite_is_404(world):
    response = world.exchange(
        "GET", "/admin/tramites/404", claims=MINISTRY, resource="/admin/tramites/{numeroTransaccion}",
        params={"numeroTransaccion": "404"},
    )  # fmt: skip
    assert response["statusCode"] == 404 and json.loads(response["body"])["code"] == "TRAMITE_NOT_FOUND"


def test_queue_down_means_503_and_no_tramite(world, monkeypatch):
    def broken(*_args, **_kwargs):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "ServiceUnavailable"}}, "SendMessage")

    monkeypatch.setattr(tramites, "enqueue_notification", broken)
    response = world.exchange("POST", "/admin/tramites", claims=MINISTRY, body=tramite_body(numeroTransaccion="555"))
    assert response["statusCode"] == 503
    item = boto3.resource("dynamodb").Table("main-table").get_item(Key=tramites.tramite_key("555")).get("Item")
    assert item is None
