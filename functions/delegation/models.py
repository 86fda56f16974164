"""Request and response bodies of the delegation area. Requests forbid unknown fields.

Custom checks raise PydanticCustomError(<key>, ...), <key> being a message key of
sat_common.i18n.FIELD_MESSAGES, so the 422 problem names the field with a Spanish (or English) message.
Class names are prefixed (Employer…, Delegate…, Authorization…) because the OpenAPI documents of all
areas are merged and component names must not clash.
"""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sat_common import catalogs
from sat_common.fields import PersonIdentity, Strict, Timestamp, email_address, fixed_phone

NIT_PATH_PATTERN = r"^[0-9]{9}$"
AUTHORIZATION_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
POSTAL_CODE_PATTERN = re.compile(r"^[0-9]{6}$")
STATUSES = Literal["DRAFT", "RUT_REQUIRED", "PENDING_REVIEW", "RUT_REJECTED", "REGISTERED"]


def _catalog_code(catalog: str, value: str) -> str:
    item = catalogs.load(catalog).find(value)
    if item is None or item.get("dianSpecial"):
        raise PydanticCustomError("unknown_code", "not in the catalog", {"catalog": catalog})
    return value


Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(email_address)]


# --- Paso 2: basic data as in the RUT ------------------------------------------------------


class EmployerCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"nit": "970629207", "dv": "8", "businessName": "Industrias Daza Becerra S.A.S.", "companyType": "SAS"}
            ]
        }
    )

    nit: str = Field(max_length=20, description="Los 9 primeros dígitos del NIT, sin puntos, comas ni espacios")
    dv: str = Field(max_length=2, description="Dígito de verificación del NIT")
    businessName: str = Field(min_length=1, max_length=200, description="Razón social, tal como aparece en el RUT")
    companyType: str = Field(max_length=20, description="Tipo de sociedad (catálogo company-types)")

    @field_validator("nit")
    @classmethod
    def _nit(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{9}", value):
            raise PydanticCustomError("nit_format", "nine digits")
        return value

    @field_validator("dv")
    @classmethod
    def _dv(cls, value: str, info: ValidationInfo) -> str:
        from stdnum.co import nit as co_nit

        if not re.fullmatch(r"[0-9]", value):
            raise PydanticCustomError("dv_format", "one digit")
        number = info.data.get("nit")
        if number is not None and co_nit.calc_check_digit(number) != value:
            raise PydanticCustomError("nit_check_digit", "wrong check digit")
        return value

    @field_validator("companyType")
    @classmethod
    def _company_type(cls, value: str) -> str:
        return _catalog_code("company-types", value)


class RutUploadSlot(BaseModel):
    uploadId: str
    method: Literal["POST"] = "POST"
    url: str = Field(description="URL del formulario (S3 presigned POST)")
    fields: dict[str, str] = Field(description="Campos del formulario; el archivo va al final, en el campo `file`")
    contentType: Literal["application/pdf"] = "application/pdf"
    maxBytes: int
    expiresAt: Timestamp


class EmployerCreated(BaseModel):
    nit: str
    status: STATUSES
    upload: RutUploadSlot | None = Field(default=None, description="Solo con status RUT_REQUIRED")


class EmployerStatus(BaseModel):
    nit: str
    status: STATUSES


# --- Paso 3: delegate ----------------------------------------------------------------------


class PersonData(PersonIdentity):
    email: Email


class DelegateData(PersonData):
    """The delegate: document, names and corporate e-mail (manual §5 Paso 3)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documentType": "CC",
                    "documentNumber": "77495680",
                    "firstName": "Lilian",
                    "firstSurname": "Guerrero",
                    "secondSurname": "Mora",
                    "email": "lilian.guerrero@dazabecerra-ejemplo.com.co",
                }
            ]
        }
    )


class DelegateView(BaseModel):
    documentType: str
    documentNumber: str
    firstName: str
    middleName: str | None = None
    firstSurname: str
    secondSurname: str | None = None
    email: str
    namedAt: Timestamp
    registered: bool = Field(description="Si ya estaba registrado cuando fue designado (si no, se le invitó)")
    roleStatus: str = Field(description="PENDING_CONFIRMATION hasta confirmar el registro; luego ACTIVE")


# --- Paso 4: headquarters and general data -------------------------------------------------


class HeadquartersFields(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120, description="Nombre de la sede principal")
    departmentCode: str | None = Field(default=None, pattern=r"^[0-9]{2}$", description="DIVIPOLA del departamento")
    municipalityCode: str | None = Field(default=None, pattern=r"^[0-9]{5}$", description="DIVIPOLA del municipio")
    address: str | None = Field(default=None, min_length=5, max_length=200)
    postalCode: str | None = Field(default=None, max_length=6, description="6 dígitos; los 2 primeros = departamento")
    phone: str | None = Field(default=None, max_length=20, description="Teléfono fijo: 60X + 7 dígitos")
    email: str | None = Field(default=None, min_length=3, max_length=254, description="Correo corporativo")
    contributorType: str | None = Field(default=None, max_length=4, description="Tipo aportante (contributor-types)")
    companyType: str | None = Field(default=None, max_length=20, description="Tipo sociedad (company-types)")
    employees: int | None = Field(default=None, ge=1, le=10_000_000, description="Número de empleados (≥ 1)")
    ciiu: str | None = Field(default=None, max_length=4, description="Actividad económica CIIU (ciiu)")
    arl: str | None = Field(default=None, max_length=10, description="ARL (arl)")
    pilaOperators: list[str] | None = Field(
        default=None, min_length=1, max_length=20, description="Operadores PILA (pila-operators), uno o más"
    )

    @field_validator("departmentCode")
    @classmethod
    def _department(cls, value: str | None) -> str | None:
        if value is not None and catalogs.load("departments").find(value) is None:
            raise PydanticCustomError("unknown_code", "not in the catalog", {"catalog": "departments"})
        return value

    @field_validator("municipalityCode")
    @classmethod
    def _municipality(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if catalogs.load("municipalities").find(value) is None:
            raise PydanticCustomError("unknown_code", "not in the catalog", {"catalog": "municipalities"})
        department = info.data.get("departmentCode")
        if department is not None and not catalogs.is_divipola_pair(department, value):
            raise PydanticCustomError("divipola_mismatch", "municipality outside its department")
        return value

    @field_validator("postalCode")
    @classmethod
    def _postal(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        department = info.data.get("departmentCode")
        if not POSTAL_CODE_PATTERN.fullmatch(value) or (department is not None and value[:2] != department):
            raise PydanticCustomError("postal_code_department", "bad postal code", {"department": department or "NN"})
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else fixed_phone(value)

    @field_validator("email")
    @classmethod
    def _mail(cls, value: str | None) -> str | None:
        return None if value is None else email_address(value)

    @field_validator("contributorType")
    @classmethod
    def _contributor(cls, value: str | None) -> str | None:
        return None if value is None else _catalog_code("contributor-types", value)

    @field_validator("companyType")
    @classmethod
    def _company(cls, value: str | None) -> str | None:
        return None if value is None else _catalog_code("company-types", value)

    @field_validator("ciiu")
    @classmethod
    def _ciiu(cls, value: str | None) -> str | None:
        return None if value is None else _catalog_code("ciiu", value)

    @field_validator("arl")
    @classmethod
    def _arl(cls, value: str | None) -> str | None:
        return None if value is None else _catalog_code("arl", value)

    @field_validator("pilaOperators")
    @classmethod
    def _pila(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if len(set(value)) != len(value):
            raise PydanticCustomError("not_unique", "repeated items")
        for code in value:
            _catalog_code("pila-operators", code)
        return value


class EmployerUpdate(HeadquartersFields):
    """ "Actualizar datos": any subset of the headquarters fields; the result must still be complete and valid."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "6045115500", "employees": 92}]})


class HeadquartersData(HeadquartersFields):
    """Every field is required (manual §5 Paso 4)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Sede principal Medellín",
                    "departmentCode": "05",
                    "municipalityCode": "05001",
                    "address": "Carrera 43A # 1-50, oficina 501",
                    "postalCode": "050021",
                    "phone": "6044440000",
                    "email": "contacto@dazabecerra-ejemplo.com.co",
                    "contributorType": "1",
                    "companyType": "SAS",
                    "employees": 85,
                    "ciiu": "6201",
                    "arl": "14-23",
                    "pilaOperators": ["SOI", "MI_PLANILLA"],
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=120, description="Nombre de la sede principal")
    departmentCode: str = Field(pattern=r"^[0-9]{2}$", description="DIVIPOLA del departamento")
    municipalityCode: str = Field(pattern=r"^[0-9]{5}$", description="DIVIPOLA del municipio del departamento")
    address: str = Field(min_length=5, max_length=200)
    postalCode: str = Field(max_length=6, description="6 dígitos; los 2 primeros son el código del departamento")
    phone: str = Field(max_length=20, description="Teléfono fijo: 60X + 7 dígitos")
    email: str = Field(min_length=3, max_length=254, description="Correo electrónico corporativo")
    contributorType: str = Field(max_length=4, description="Tipo aportante (contributor-types)")
    companyType: str = Field(max_length=20, description="Tipo sociedad (company-types)")
    employees: int = Field(ge=1, le=10_000_000, description="Número de empleados (≥ 1)")
    ciiu: str = Field(max_length=4, description="Actividad económica CIIU (ciiu)")
    arl: str = Field(max_length=10, description="ARL (arl)")
    pilaOperators: list[str] = Field(min_length=1, max_length=20, description="Operadores PILA, uno o más")


class HeadquartersView(BaseModel):
    name: str
    departmentCode: str
    municipalityCode: str
    address: str
    postalCode: str
    phone: str
    email: str
    contributorType: str
    companyType: str
    employees: int
    ciiu: str
    arl: str
    pilaOperators: list[str]


# --- The company as its legal representative and delegate see it -----------------------------


class RutView(BaseModel):
    uploadId: str
    status: str = Field(description="AWAITING_UPLOAD, EXPIRED, FILE_REJECTED, UPLOADED, APPROVED, REJECTED")
    expiresAt: Timestamp | None = None
    sizeBytes: int | None = None
    uploadedAt: Timestamp | None = None
    rejectionCode: str | None = Field(
        default=None,
        description="RUT_TOO_LARGE, RUT_NOT_PDF, RUT_ENCRYPTED, RUT_TOO_OLD, RUT_UPLOAD_EXPIRED o MINISTRY_REJECTED",
    )

    rejection: str | None = Field(default=None, description="Motivo legible (archivo rechazado, vencido o revisión)")
    reviewedAt: Timestamp | None = None


class EmployerView(BaseModel):
    nit: str
    dv: str
    businessName: str
    companyType: str
    status: STATUSES
    referenceMatch: bool
    legalRepresentative: str = Field(description="Usuario (TIPO-NUMERO) del representante legal")
    yourProfile: Literal["REPRESENTANTE_LEGAL", "DELEGADO"]
    delegate: DelegateView | None = None
    headquarters: HeadquartersView | None = None
    rut: RutView | None = None
    createdAt: Timestamp
    updatedAt: Timestamp
    confirmedAt: Timestamp | None = None


# --- RUT review (Ministerio) ------------------------------------------------------------------


class RutReview(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"decision": "APPROVE"},
                {"decision": "REJECT", "reason": "El RUT cargado no corresponde al NIT de la empresa"},
            ]
        }
    )

    decision: Literal["APPROVE", "REJECT"]
    reason: str | None = Field(default=None, min_length=3, max_length=500, description="Obligatorio al rechazar")


# --- Authorized persons -------------------------------------------------------------------------


class AuthorizationCreate(PersonData):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documentType": "CC",
                    "documentNumber": "1013666451",
                    "firstName": "Francisco",
                    "firstSurname": "Acosta",
                    "email": "francisco.acosta@cajaandina-ejemplo.com.co",
                    "office": "Sede principal Bogotá",
                    "role": "CAJA_DE_SUBSIDIO_FAMILIAR",
                    "profile": "ADMINISTRAR_SERVICIOS_WEB_EXTERNOS",
                }
            ]
        }
    )

    office: str = Field(min_length=1, max_length=120, description="Sede en la que opera el autorizado")
    role: Literal["CAJA_DE_SUBSIDIO_FAMILIAR"] = Field(description="Rol autorizado")
    profile: Literal["ADMINISTRAR_SERVICIOS_WEB_EXTERNOS"] = Field(
        description="Perfil: autorizado para administrar servicios web externos"
    )


class AuthorizationView(BaseModel):
    authorizationId: str
    documentType: str
    documentNumber: str
    firstName: str
    middleName: str | None = None
    firstSurname: str
    secondSurname: str | None = None
    email: str
    office: str
    role: str
    profile: str
    status: Literal["ACTIVE", "REVOKED"]
    registered: bool = Field(description="Si ya estaba registrado cuando fue autorizado (si no, se le invitó)")
    createdAt: Timestamp
    revokedAt: Timestamp | None = None


class AuthorizationPage(BaseModel):
    items: list[AuthorizationView]
    nextToken: str | None = Field(default=None, description="Opaco: páselo como nextToken para la página siguiente")
