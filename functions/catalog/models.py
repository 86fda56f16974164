from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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


# --------------------------------------------------------------------------- Ministry and CCF (issue 5)
NIT_PATTERN = r"^\d{9}$"
SERVICE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{1,39}$"
Operation = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
State = Literal["ACTIVE", "INACTIVE"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CcfActivationRequest(Strict):
    nit: str = Field(pattern=NIT_PATTERN, description="NIT de la empresa, 9 dígitos sin dígito de verificación")


class CcfNotificationHealth(BaseModel):
    sharedServiceId: str
    name: str | None = None
    status: str | None = Field(default=None, description="INCOMPLETE, PENDING_VERIFICATION o ACTIVE")
    connection: str | None = Field(default=None, description="AUTHORIZED, FAILED o null (sin probar)")
    checkedAt: str | None = None


class CcfSharedSummary(BaseModel):
    total: int
    notification: CcfNotificationHealth | None = Field(
        default=None, description="El servicio compartido NOTIFICACION_TRAMITES de la CCF, si tiene uno"
    )


class CcfLastDelivery(BaseModel):
    numeroTransaccion: str
    outcome: str = Field(description="ACUSADA, REINTENTO, FALLIDA, OMITIDA o TOKEN_RENOVADO")
    at: str


class Ccf(BaseModel):
    nit: str
    businessName: str | None = None
    status: str = Field(description="ACTIVE o SUSPENDED")
    activatedAt: str
    activatedBy: str
    stateReason: str | None = Field(default=None, description="Motivo de la última suspensión o reactivación")
    stateSince: str | None = None
    stateBy: str | None = None
    servicesAssigned: int | None = Field(default=None, description="Servicios asignados activos")
    sharedServices: CcfSharedSummary | None = None
    lastDelivery: CcfLastDelivery | None = None


class CcfStatePatch(Strict):
    state: Literal["SUSPENDED", "ACTIVE"] = Field(description="SUSPENDED suspende la CCF; ACTIVE la reactiva")
    reason: str = Field(min_length=3, max_length=500, description="Motivo (queda en la auditoría)")


class CcfPage(BaseModel):
    items: list[Ccf]
    nextToken: str | None = Field(default=None, description="Pase este valor en nextToken para la página siguiente")


class ServiceCreate(Strict):
    code: str = Field(pattern=r"^[A-Z0-9_]{2,40}$", examples=["SOLICITUD_AFILIACION"])
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=500)
    operation: Operation
    openapi: dict[str, Any] = Field(description="Documento OpenAPI 3 del servicio (una ruta /sat/... con la operación)")
    state: State = "ACTIVE"


class ServicePatch(Strict):
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
    createdAt: str
    updatedAt: str


class ServiceList(BaseModel):
    items: list[Service]


class AssignmentRequest(Strict):
    serviceId: str = Field(pattern=SERVICE_ID_PATTERN)


class Assignment(BaseModel):
    nit: str
    serviceId: str
    clientId: str
    status: str
    assignedAt: str


class Terms(BaseModel):
    version: str
    title: str
    text: str = Field(description="Condiciones de uso y política de privacidad (Markdown, español)")
    textHash: str = Field(description="SHA-256 del texto mostrado")
    accepted: bool
    decision: str | None = None
    decidedAt: str | None = None


class TermsDecisionRequest(Strict):
    version: str = Field(min_length=1, max_length=40)
    decision: Literal["ACCEPT", "DECLINE"]


class TermsDecision(BaseModel):
    version: str
    decision: str
    accepted: bool
    decidedAt: str


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
    password: str = Field(min_length=1, max_length=256)
    passwordConfirmation: str = Field(min_length=1, max_length=256)
    immediate: bool = Field(
        default=False,
        description="true: la contraseña anterior deja de funcionar de inmediato y los tokens emitidos antes "
        "del cambio se revocan (en menos de un minuto); false: la anterior sigue funcionando durante la "
        "transición configurada",
    )
