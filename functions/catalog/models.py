from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sat_common.fields import Timestamp


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    service: str
    stage: str


class CatalogItem(BaseModel):
    # Some catalogs carry more than code and name (departmentCode, appliesTo, pattern...).
    model_config = ConfigDict(extra="allow")

    code: str
    name: str


class CatalogPage(BaseModel):
    catalog: str
    source: str = Field(description="Fuente de los datos (norma, entidad o paquete y su licencia)")
    count: int
    items: list[CatalogItem]


# --------------------------------------------------------------------------- Ministry and CCF (manual §6)
NIT_PATTERN = r"^\d{9}$"
SERVICE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"
Operation = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
State = Literal["ACTIVE", "INACTIVE"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CcfActivationRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"nit": "828413459"}]})

    nit: str = Field(pattern=NIT_PATTERN, description="NIT de la empresa, 9 dígitos sin dígito de verificación")


class CcfNotificationHealth(BaseModel):
    sharedServiceId: str
    name: str | None = None
    status: str | None = Field(default=None, description="INCOMPLETE, PENDING_VERIFICATION o ACTIVE")
    connection: str | None = Field(default=None, description="AUTHORIZED, FAILED o null (sin probar)")
    checkedAt: Timestamp | None = None


class CcfSharedSummary(BaseModel):
    total: int
    notification: CcfNotificationHealth | None = Field(
        default=None, description="El servicio compartido NOTIFICACION_TRAMITES de la CCF, si tiene uno"
    )


class CcfLastDelivery(BaseModel):
    numeroTransaccion: str
    outcome: str = Field(description="ACUSADA, REINTENTO, FALLIDA, OMITIDA o TOKEN_RENOVADO")
    at: Timestamp


class Ccf(BaseModel):
    nit: str
    businessName: str | None = None
    status: str = Field(description="ACTIVE o SUSPENDED")
    activatedAt: Timestamp
    activatedBy: str
    stateReason: str | None = Field(default=None, description="Motivo de la última suspensión o reactivación")
    stateSince: Timestamp | None = None
    stateBy: str | None = None
    servicesAssigned: int | None = Field(default=None, description="Servicios asignados activos")
    sharedServices: CcfSharedSummary | None = None
    lastDelivery: CcfLastDelivery | None = None


class CcfStatePatch(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"state": "SUSPENDED", "reason": "Incumplimiento del protocolo de intercambio de información"},
                {"state": "ACTIVE", "reason": "La CCF corrigió su servicio de notificaciones"},
            ]
        }
    )

    state: Literal["SUSPENDED", "ACTIVE"] = Field(description="SUSPENDED suspende la CCF; ACTIVE la reactiva")
    reason: str = Field(min_length=3, max_length=500, description="Motivo (queda en la auditoría)")


class CcfPage(BaseModel):
    items: list[Ccf]
    nextToken: str | None = Field(default=None, description="Pase este valor en nextToken para la página siguiente")


class ServiceCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "SOLICITUD_AFILIACION",
                    "name": "SERVICIO SOLICITUD AFILIACION",
                    "description": "Servicio para la consulta de la solicitud del trámite de afiliación",
                    "operation": "POST",
                    "openapi": {
                        "openapi": "3.0.3",
                        "info": {"title": "SERVICIO SOLICITUD AFILIACION", "version": "1.0.0"},
                        "paths": {
                            "/sat/solicitud-afiliacion": {
                                "post": {"responses": {"200": {"description": "La solicitud cifrada (JWE)"}}}
                            }
                        },
                    },
                    "state": "ACTIVE",
                }
            ]
        }
    )

    code: str = Field(pattern=r"^[A-Z0-9_]{2,40}$", examples=["SOLICITUD_AFILIACION"])
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=500)
    operation: Operation
    openapi: dict[str, Any] = Field(description="Documento OpenAPI 3 del servicio (una ruta /sat/... con la operación)")
    state: State = "ACTIVE"


class ServicePatch(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"description": "Consulta de la solicitud de afiliación (cifrada con la llave de la CCF)"},
                {"state": "INACTIVE"},
            ]
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, min_length=1, max_length=500)
    operation: Operation | None = None
    openapi: dict[str, Any] | None = None
    state: State | None = None


class Service(BaseModel):
    serviceId: str
    code: str
    name: str
    description: str
    operation: str
    endpointPath: str
    state: str
    createdAt: Timestamp
    updatedAt: Timestamp


class ServiceList(BaseModel):
    items: list[Service]


class AssignmentRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"serviceId": "solicitud-afiliacion"}]})

    serviceId: str = Field(pattern=SERVICE_ID_PATTERN)


class Assignment(BaseModel):
    nit: str
    serviceId: str
    clientId: str
    status: str
    assignedAt: Timestamp


class Terms(BaseModel):
    version: str
    title: str
    text: str = Field(description="Condiciones de uso y política de privacidad (Markdown, español)")
    textHash: str = Field(description="SHA-256 del texto mostrado")
    accepted: bool
    decision: str | None = None
    decidedAt: Timestamp | None = None


class TermsDecisionRequest(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": "2026-01", "decision": "ACCEPT"}]})

    version: str = Field(min_length=1, max_length=40)
    decision: Literal["ACCEPT", "DECLINE"]


class TermsDecision(BaseModel):
    version: str
    decision: str
    accepted: bool
    decidedAt: Timestamp


class CcfService(BaseModel):
    serviceId: str
    code: str
    name: str
    description: str
    operation: str
    state: str


class CcfServiceList(BaseModel):
    nit: str
    items: list[CcfService]


class CcfServiceInfo(BaseModel):
    serviceId: str
    name: str
    description: str
    clientId: str
    state: str
    tokenUrl: str
    endpointUrl: str
    operation: str


class ConsumerPassword(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"password": "Andina#Consumo-2026", "passwordConfirmation": "Andina#Consumo-2026", "immediate": False}
            ]
        }
    )

    password: str = Field(min_length=1, max_length=256)
    passwordConfirmation: str = Field(min_length=1, max_length=256)
    immediate: bool = Field(
        default=False,
        description="true: la contraseña anterior deja de funcionar de inmediato y los tokens emitidos antes "
        "del cambio se revocan (en menos de un minuto); false: la anterior sigue funcionando durante la "
        "transición configurada",
    )
