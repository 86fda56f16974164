"""Bodies of the exchange area. Requests forbid unknown fields; custom checks raise PydanticCustomError with a
message key of sat_common.i18n.FIELD_MESSAGES, so a 422 names the field in Spanish (or English).

The Ministry's /admin/tramites body uses the same Spanish camelCase names as the pull response the CCF gets
(local/seed/services.json, "SERVICIO SOLICITUD AFILIACION"), so what the Ministry files is what the CCF reads.
The /sat answer and transfer bodies keep their SAT wire names (PascalCase). Class names are prefixed
(Tramite…, Sat…) because the OpenAPI documents of all areas are merged.
"""

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sat_common import catalogs
from sat_common.fields import Timestamp

NUMERO_PATTERN = r"^[0-9]{1,20}$"
NIT_PATTERN = r"^[0-9]{9}$"
DocumentType = Literal["CC", "CE", "TI", "RC", "PA", "CD", "SC", "PE", "PT", "NI"]
NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
DOCUMENT_RULES = {  # document type -> (pattern, rule shown in the 422)
    "NI": (r"[0-9]{9}", "9 dígitos sin dígito de verificación"),
    "CC": (r"[0-9]{3,10}", "3 a 10 dígitos"),
    "TI": (r"[0-9]{10,11}", "10 u 11 dígitos"),
    "RC": (r"[0-9]{10,11}", "10 u 11 dígitos"),
    "CE": (r"[0-9]{3,7}", "3 a 7 dígitos"),
    "PA": (r"[A-Za-z0-9]{3,16}", "3 a 16 letras o dígitos"),
    "PT": (r"[0-9]{3,16}", "3 a 16 dígitos"),
    "PE": (r"[0-9]{3,16}", "3 a 16 dígitos"),
    "CD": (r"[A-Za-z0-9]{3,16}", "3 a 16 letras o dígitos"),
    "SC": (r"[A-Za-z0-9]{3,16}", "3 a 16 letras o dígitos"),
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_document(document_type: str | None, number: str) -> str:
    if document_type is None:  # the type itself failed; its own error is reported
        return number
    pattern, rule = DOCUMENT_RULES[document_type]
    if not re.fullmatch(pattern, number):
        raise PydanticCustomError(
            "document_number_format", "bad document number", {"documentType": document_type, "rule": rule}
        )
    return number


def _catalog_code(catalog: str, value: str | None) -> str | None:
    if value is not None and catalogs.load(catalog).find(value) is None:
        raise PydanticCustomError("unknown_code", "not in the catalog", {"catalog": catalog})
    return value


def _nit_check_digit(nit: str) -> str:
    weights = (71, 67, 59, 53, 47, 43, 41, 37, 29, 23, 19, 17, 13, 7, 3)
    digits = [int(d) for d in nit.zfill(15)]
    remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return str(remainder if remainder < 2 else 11 - remainder)


class TramiteEmpleador(Strict):
    tipoDocumento: DocumentType
    numeroDocumento: str = Field(min_length=3, max_length=16)
    digitoVerificacion: str | None = Field(default=None, pattern=r"^[0-9]$")
    razonSocial: str = Field(min_length=2, max_length=200)
    tipoAportante: str | None = Field(default=None, max_length=2)
    numeroEmpleados: int | None = Field(default=None, ge=0, le=1_000_000)
    actividadEconomica: str | None = Field(default=None, pattern=r"^[0-9]{4}$", description="CIIU Rev. 4 A.C.")

    @field_validator("numeroDocumento")
    @classmethod
    def _document(cls, value: str, info: ValidationInfo) -> str:
        return _check_document(info.data.get("tipoDocumento"), value)

    @field_validator("digitoVerificacion")
    @classmethod
    def _check_digit(cls, value: str | None, info: ValidationInfo) -> str | None:
        number = info.data.get("numeroDocumento")
        if (
            value is not None
            and info.data.get("tipoDocumento") == "NI"
            and number
            and _nit_check_digit(number) != value
        ):
            raise PydanticCustomError("nit_check_digit", "bad check digit")
        return value

    @field_validator("tipoAportante")
    @classmethod
    def _contributor(cls, value: str | None) -> str | None:
        return _catalog_code("contributor-types", value)

    @field_validator("actividadEconomica")
    @classmethod
    def _ciiu(cls, value: str | None) -> str | None:
        return _catalog_code("ciiu", value)


class TramitePersona(Strict):
    tipoDocumento: Literal["CC", "CE", "TI", "RC", "PA", "CD", "SC", "PE", "PT"]
    numeroDocumento: str = Field(min_length=3, max_length=16)
    primerNombre: str = Field(min_length=1, max_length=60)
    segundoNombre: str | None = Field(default=None, max_length=60)
    primerApellido: str = Field(min_length=1, max_length=60)
    segundoApellido: str | None = Field(default=None, max_length=60)

    @field_validator("numeroDocumento")
    @classmethod
    def _document(cls, value: str, info: ValidationInfo) -> str:
        return _check_document(info.data.get("tipoDocumento"), value)

    @field_validator("primerNombre", "segundoNombre", "primerApellido", "segundoApellido")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not NAME_RE.match(value):
            raise PydanticCustomError("name_format", "bad name")
        return value


class TramiteSede(Strict):
    departamento: str = Field(pattern=r"^[0-9]{2}$", description="DIVIPOLA")
    municipio: str = Field(pattern=r"^[0-9]{5}$", description="DIVIPOLA")
    direccion: str = Field(min_length=5, max_length=200)
    telefono: str = Field(pattern=r"^(60[1-8][0-9]{7}|3[0-9]{9})$", description="fijo 60X + 7 dígitos o celular")
    correoElectronico: str = Field(min_length=3, max_length=254)

    @field_validator("municipio")
    @classmethod
    def _divipola(cls, value: str, info: ValidationInfo) -> str:
        department = info.data.get("departamento")
        if department and not catalogs.is_divipola_pair(department, value):
            raise PydanticCustomError("divipola_mismatch", "bad municipality")
        return value

    @field_validator("correoElectronico")
    @classmethod
    def _email(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        try:
            return str(validate_email(value, check_deliverability=False).normalized)
        except EmailNotValidError:
            raise PydanticCustomError("email_format", "bad e-mail") from None


class TramiteConsentimientos(Strict):
    correoElectronico: bool
    mensajesTexto: bool
    versionPolitica: str = Field(min_length=1, max_length=40)


class TramiteCreate(Strict):
    """A trámite the Ministry files for a CCF (product.md §5: employer, legal representative, contact, consents)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "ccfNit": "828413459",
                    "codigoNovedad": "AFI",
                    "empleador": {
                        "tipoDocumento": "NI",
                        "numeroDocumento": "970629207",
                        "digitoVerificacion": "8",
                        "razonSocial": "Industrias Daza Becerra S.A.S.",
                        "tipoAportante": "1",
                        "numeroEmpleados": 85,
                        "actividadEconomica": "6201",
                    },
                    "representanteLegal": {
                        "tipoDocumento": "CC",
                        "numeroDocumento": "73925633",
                        "primerNombre": "Alexandra",
                        "primerApellido": "Rubio",
                        "segundoApellido": "Cárdenas",
                    },
                    "sede": {
                        "departamento": "05",
                        "municipio": "05001",
                        "direccion": "Carrera 43A # 1-50, oficina 501",
                        "telefono": "6044440000",
                        "correoElectronico": "contacto@dazabecerra-ejemplo.com.co",
                    },
                    "consentimientos": {
                        "correoElectronico": True,
                        "mensajesTexto": False,
                        "versionPolitica": "2026-01",
                    },
                }
            ]
        }
    )

    ccfNit: str = Field(pattern=NIT_PATTERN, description="NIT de la CCF que debe atender el trámite")
    numeroTransaccion: str | None = Field(
        default=None, pattern=NUMERO_PATTERN, description="Si no se envía, el SAT asigna uno (AAAAMMDD + 8 dígitos)"
    )

    serialSat: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,40}$")
    codigoNovedad: str = Field(default="AFI", pattern=r"^[A-Z0-9_]{1,10}$")
    fechaVigencia: date | None = Field(default=None, description="Hasta cuándo la CCF puede responder")
    empleador: TramiteEmpleador
    representanteLegal: TramitePersona
    sede: TramiteSede
    consentimientos: TramiteConsentimientos


class TramiteDelivery(BaseModel):
    at: Timestamp
    attempt: int
    outcome: str = Field(description="ACUSADA, REINTENTO, FALLIDA, OMITIDA")
    statusCode: int | None = None
    latencyMs: int | None = None
    reason: str | None = None


class TramitePull(BaseModel):
    at: Timestamp
    outcome: str = Field(description="ENTREGADA (JWE) o SIN_LLAVE (409 CCF_KEY_NOT_ACTIVE)")
    clientId: str | None = None


class TramiteView(BaseModel):
    numeroTransaccion: str
    serialSat: str
    ccfNit: str
    codigoNovedad: str
    estado: Literal["PENDIENTE", "NOTIFICADA", "FALLIDA", "APROBADA", "RECHAZADA"]
    fechaCreacion: Timestamp
    fechaVigencia: str
    pullUrl: str
    attempts: int = 0
    generation: int = 0
    acknowledgement: dict[str, object] | None = None
    pulledAt: Timestamp | None = None
    lastPulledAt: Timestamp | None = None
    pullCount: int = 0
    pulls: list[TramitePull] = Field(default=[], description="Cada consulta de la CCF (SERVICIO SOLICITUD AFILIACION)")
    answer: dict[str, object] | None = None
    answeredAt: Timestamp | None = None
    deliveries: list[TramiteDelivery] = []
    lastOutcome: str | None = None
    failedAt: Timestamp | None = None
    failureReason: str | None = None
    createdAt: Timestamp
    updatedAt: Timestamp


# --------------------------------------------------------------------------- the back office's lists (0094)
TRAMITE_STATES = ("PENDIENTE", "NOTIFICADA", "FALLIDA", "APROBADA", "RECHAZADA")
TRANSFER_STATES = ("RECIBIDA",)
ListState = Literal["PENDIENTE", "NOTIFICADA", "FALLIDA", "APROBADA", "RECHAZADA", "RECIBIDA"]
ListType = Literal["TRAMITE", "TRASLADO"]


class TramiteSummary(BaseModel):
    numeroTransaccion: str
    type: ListType
    ccfNit: str = Field(description="La CCF que atiende el trámite; en un traslado, la caja de destino")
    state: ListState
    codigoNovedad: str | None = None
    createdAt: Timestamp
    updatedAt: Timestamp
    attempts: int = 0
    lastOutcome: str | None = Field(default=None, description="Resultado del último intento de entrega")


class TramitePage(BaseModel):
    items: list[TramiteSummary]
    nextPageToken: str | None = Field(default=None, description="Páselo como pageToken, con los mismos filtros")


class TramiteBulkRedrive(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ccfNit": "828413459", "state": "FALLIDA"}]})

    ccfNit: str = Field(pattern=NIT_PATTERN, description="NIT de la CCF cuyos trámites FALLIDA se reenvían")
    state: Literal["FALLIDA"] = Field(description="Solo FALLIDA")


class TramiteBulkRedriveResult(BaseModel):
    count: int = Field(description="Trámites reenviados en esta llamada")
    remaining: bool = Field(description="true: puede haber más; llame de nuevo")
    numerosTransaccion: list[str]


# --------------------------------------------------------------------------- /sat wire bodies
class SatPullRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"numeroTransaccion": "2026120100012345"}]})

    numeroTransaccion: str = Field(pattern=NUMERO_PATTERN, description="Número de la transacción notificada")


class SatRespuesta(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "NumeroTransaccion": "2026120100012345",
                    "TipoDocumentoEmpleador": "NI",
                    "NumeroDocumentoEmpleador": "970629207",
                    "SerialSat": "SAT-2026120100012345",
                    "ResultadoTramite": 1,
                    "FechaEfectivaAfiliacion": "2026-12-15",
                    "NumeroRadicadoSolicitud": "CCF-012345",
                },
                {
                    "NumeroTransaccion": "2026120100012346",
                    "TipoDocumentoEmpleador": "NI",
                    "NumeroDocumentoEmpleador": "953735454",
                    "SerialSat": "SAT-2026120100012346",
                    "ResultadoTramite": 2,
                    "MotivoRechazo": "El empleador está afiliado a otra caja en el mismo departamento",
                    "NumeroRadicadoSolicitud": "CCF-012346",
                },
            ]
        }
    )

    NumeroTransaccion: str = Field(pattern=NUMERO_PATTERN)
    TipoDocumentoEmpleador: DocumentType
    NumeroDocumentoEmpleador: str = Field(min_length=3, max_length=16)
    SerialSat: str = Field(min_length=1, max_length=40)
    ResultadoTramite: Literal[1, 2] = Field(description="1 aprobado, 2 no aprobado")
    FechaEfectivaAfiliacion: date | None = Field(default=None, validate_default=True)
    MotivoRechazo: str | None = Field(default=None, max_length=500, validate_default=True)
    NumeroRadicadoSolicitud: str = Field(min_length=1, max_length=40)

    @field_validator("NumeroDocumentoEmpleador")
    @classmethod
    def _document(cls, value: str, info: ValidationInfo) -> str:
        return _check_document(info.data.get("TipoDocumentoEmpleador"), value)

    @field_validator("FechaEfectivaAfiliacion")
    @classmethod
    def _effective_date(cls, value: date | None, info: ValidationInfo) -> date | None:
        if info.data.get("ResultadoTramite") == 1 and value is None:
            raise PydanticCustomError("effective_date_required", "date required")
        if info.data.get("ResultadoTramite") == 2 and value is not None:
            raise PydanticCustomError("effective_date_not_allowed", "no date when rejected")
        return value

    @field_validator("MotivoRechazo")
    @classmethod
    def _reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        value = (value or "").strip() or None
        if info.data.get("ResultadoTramite") == 2 and value is None:
            raise PydanticCustomError("rejection_reason_required", "reason required")
        if info.data.get("ResultadoTramite") == 1 and value is not None:
            raise PydanticCustomError("rejection_reason_not_allowed", "no reason when approved")
        return value


class SatRespuestaAck(BaseModel):
    NumeroTransaccion: str
    Estado: Literal["RECIBIDA"]
    FechaRecepcion: Timestamp


class SatTraslado(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "NumeroTransaccion": "2026110300004521",
                    "TipoDocumentoEmpleador": "NI",
                    "NumeroDocumentoEmpleador": "970629207",
                    "NitCajaOrigen": "828413459",
                    "NitCajaDestino": "841110817",
                    "FechaSolicitud": "2026-11-03",
                    "FechaEfectivaTraslado": "2027-01-01",
                    "Motivo": "Traslado de la sede principal a Barranquilla",
                }
            ]
        }
    )

    NumeroTransaccion: str = Field(pattern=NUMERO_PATTERN)
    TipoDocumentoEmpleador: DocumentType
    NumeroDocumentoEmpleador: str = Field(min_length=3, max_length=16)
    NitCajaOrigen: str = Field(pattern=NIT_PATTERN)
    NitCajaDestino: str = Field(pattern=NIT_PATTERN)
    FechaSolicitud: date
    FechaEfectivaTraslado: date | None = None
    Motivo: str | None = Field(default=None, max_length=500)

    @field_validator("NumeroDocumentoEmpleador")
    @classmethod
    def _document(cls, value: str, info: ValidationInfo) -> str:
        return _check_document(info.data.get("TipoDocumentoEmpleador"), value)

    @field_validator("NitCajaDestino")
    @classmethod
    def _different(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("NitCajaOrigen"):
            raise PydanticCustomError("same_caja", "origin equals destination")
        return value

    @field_validator("FechaSolicitud")
    @classmethod
    def _not_future(cls, value: date) -> date:
        from sat_common import clock

        if value > clock.now().date():
            raise PydanticCustomError("date_in_future", "future")
        return value

    @field_validator("FechaEfectivaTraslado")
    @classmethod
    def _order(cls, value: date | None, info: ValidationInfo) -> date | None:
        requested = info.data.get("FechaSolicitud")
        if value is not None and requested is not None and value < requested:
            raise PydanticCustomError("transfer_date_order", "effective before request")
        return value


class SatTrasladoAck(BaseModel):
    NumeroTransaccion: str
    Estado: Literal["RECIBIDA"]
    NumeroRadicado: str


# --------------------------------------------------------------------------- the CCF's own deliveries (0107)
CcfTramiteState = Literal["PENDIENTE", "NOTIFICADA", "FALLIDA", "APROBADA", "RECHAZADA"]


class RedeliveryAccepted(BaseModel):
    numeroTransaccion: str
    estado: CcfTramiteState = Field(description="El estado del trámite cuando se pidió la entrega")
    generation: int
    accepted: bool = True
