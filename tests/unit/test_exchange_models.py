"""Rules of the exchange bodies (no AWS): wire names, cross-field checks, Spanish field messages."""

import pytest
from pydantic import ValidationError

from exchange.models import SatRespuesta, SatTraslado, TramiteCreate, _nit_check_digit
from sat_common.i18n import ENGLISH, SPANISH, field_message
from sat_common.tramites import notification_body, notification_id


def _answer(**overrides):
    body = {
        "NumeroTransaccion": "1", "TipoDocumentoEmpleador": "NI", "NumeroDocumentoEmpleador": "900123456",
        "SerialSat": "SAT-1", "ResultadoTramite": 1, "FechaEfectivaAfiliacion": "2026-12-01",
        "NumeroRadicadoSolicitud": "R-1",
    }  # fmt: skip
    body.update(overrides)
    return body


def _errors(model, body):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {".".join(str(p) for p in e["loc"]): e["type"] for e in caught.value.errors()}


def test_nit_check_digit_matches_dian():
    assert _nit_check_digit("800197268") == "4"  # DIAN's own NIT
    assert _nit_check_digit("860007336") == "1"


def test_answer_cross_field_rules():
    assert SatRespuesta.model_validate(_answer()).ResultadoTramite == 1
    assert _errors(SatRespuesta, _answer(FechaEfectivaAfiliacion=None)) == {
        "FechaEfectivaAfiliacion": "effective_date_required"
    }
    rejected = _answer(ResultadoTramite=2, FechaEfectivaAfiliacion=None)
    assert _errors(SatRespuesta, rejected) == {"MotivoRechazo": "rejection_reason_required"}
    assert SatRespuesta.model_validate({**rejected, "MotivoRechazo": "falta RUT"}).MotivoRechazo == "falta RUT"
    assert _errors(SatRespuesta, _answer(MotivoRechazo="no")) == {"MotivoRechazo": "rejection_reason_not_allowed"}
    assert "ResultadoTramite" in _errors(SatRespuesta, _answer(ResultadoTramite=3))
    assert "Extra" in _errors(SatRespuesta, _answer(Extra=1))


def test_transfer_rules():
    base = {"NumeroTransaccion": "1", "TipoDocumentoEmpleador": "NI", "NumeroDocumentoEmpleador": "900123456",
            "NitCajaOrigen": "860007336", "NitCajaDestino": "860013570", "FechaSolicitud": "2026-01-10"}  # fmt: skip
    assert SatTraslado.model_validate(base).NitCajaDestino == "860013570"
    assert _errors(SatTraslado, {**base, "NitCajaDestino": "860007336"}) == {"NitCajaDestino": "same_caja"}
    later = {**base, "FechaEfectivaTraslado": "2026-01-01"}
    assert _errors(SatTraslado, later) == {"FechaEfectivaTraslado": "transfer_date_order"}


def test_tramite_document_formats():
    body = {
        "ccfNit": "860007336",
        "empleador": {"tipoDocumento": "NI", "numeroDocumento": "90012345", "razonSocial": "Empresa"},
        "representanteLegal": {"tipoDocumento": "CC", "numeroDocumento": "1020304050", "primerNombre": "Ana3",
                               "primerApellido": "Gómez"},
        "sede": {"departamento": "11", "municipio": "11001", "direccion": "Calle 1 # 2-3", "telefono": "3001234567",
                 "correoElectronico": "a@example.com"},
        "consentimientos": {"correoElectronico": True, "mensajesTexto": False, "versionPolitica": "2026-01"},
    }  # fmt: skip
    errors = _errors(TramiteCreate, body)
    assert errors == {
        "empleador.numeroDocumento": "document_number_format",
        "representanteLegal.primerNombre": "name_format",
    }


def test_new_messages_exist_in_both_languages():
    keys = ("ccf_not_active", "employer_mismatch", "serial_mismatch", "same_caja", "transfer_caller_not_party")
    keys += ("effective_date_required", "rejection_reason_required", "transfer_date_order", "date_in_past")
    for key in keys:
        spanish, english = field_message(key, {"nit": "1"}, SPANISH), field_message(key, {"nit": "1"}, ENGLISH)
        assert spanish != english and "no es válido" not in spanish


def test_notification_wire_fields_and_key():
    tramite = {"numeroTransaccion": "7", "codigoNovedad": "AFI", "fechaCreacion": "t", "fechaVigencia": "d",
               "pullUrl": "https://api/sat/solicitud-afiliacion"}  # fmt: skip
    assert list(notification_body(tramite)) == [
        "numero_transaccion", "codigo_novedad", "fecha_creacion", "fecha_vigencia", "estado_flujo", "url",
        "estado_afiliacion",
    ]  # fmt: skip
    assert notification_id("7") == notification_id("7") == "sat-notificacion-7"
