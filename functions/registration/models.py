"""Request and response bodies of the registration area. Requests forbid unknown fields.

Custom checks raise PydanticCustomError(<key>, ...), where <key> is a message key of
sat_common.i18n.FIELD_MESSAGES, so the problem+json lists the field with a translated message.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StrictBool, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sat_common import catalogs, clock
from sat_common.fields import (
    DocumentNumber,
    PersonIdentity,
    Strict,
    Timestamp,
    email_address,
    fixed_phone,
    mobile_phone,
)
from sat_common.tokens import TOKEN_PATTERN

REGISTRATION_ID_PATTERN = r"^[0-9a-f]{32}$"
QUESTION_ID_PATTERN = r"^[0-9a-f]{12}\.[0-9]$"
OPTION_ID_PATTERN = r"^[0-9a-f]{8}$"


# --- Paso 2: basic data ------------------------------------------------------------------


class BasicData(PersonIdentity):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documentType": "CC",
                    "documentNumber": "1056327685",
                    "firstName": "Mauricio",
                    "firstSurname": "Correa",
                    "secondSurname": "Díaz",
                    "birthDate": "1988-04-12",
                    "expeditionDate": "2006-05-02",
                }
            ]
        }
    )

    documentNumber: DocumentNumber = Field(description="Sin puntos ni espacios; formato según el tipo")
    birthDate: date
    expeditionDate: date

    @field_validator("birthDate", "expeditionDate")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > clock.now().date():
            raise PydanticCustomError("date_in_future", "date in the future")
        return value

    @field_validator("expeditionDate")
    @classmethod
    def _after_birth(cls, value: date, info: ValidationInfo) -> date:
        born = info.data.get("birthDate")
        if born is not None and value <= born:
            raise PydanticCustomError("expedition_before_birth", "expedition before birth")
        return value


class Option(BaseModel):
    optionId: str
    text: str


class Question(BaseModel):
    questionId: str
    text: str
    options: list[Option]


class RegistrationStarted(BaseModel):
    registrationId: str
    status: Literal["QUESTIONS_PENDING"] = "QUESTIONS_PENDING"
    questions: list[Question]
    expiresAt: Timestamp = Field(description="Fin de la sesión de registro (RFC 3339, UTC)")


class RegistrationState(BaseModel):
    """GET /registrations/{registrationId}: where an interrupted registration stands."""

    registrationId: str
    status: Literal["QUESTIONS_PENDING", "IDENTITY_VERIFIED", "PASSWORD_PENDING", "COMPLETED"]
    questions: list[Question] = Field(
        default_factory=list, description="Las preguntas abiertas (las mismas de antes), solo en QUESTIONS_PENDING"
    )
    expiresAt: Timestamp = Field(description="Fin de la sesión de registro (RFC 3339, UTC)")


# --- Paso 3: identity questions ----------------------------------------------------------


class Answer(Strict):
    questionId: str = Field(pattern=QUESTION_ID_PATTERN)
    optionId: str = Field(pattern=OPTION_ID_PATTERN)


class Answers(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"questionId": "3f2a9c1b7d4e.1", "optionId": "a1b2c3d4"},
                        {"questionId": "3f2a9c1b7d4e.2", "optionId": "0f9e8d7c"},
                    ]
                }
            ]
        }
    )

    answers: list[Answer] = Field(min_length=1, max_length=5)


class IdentityVerified(BaseModel):
    registrationId: str
    status: Literal["IDENTITY_VERIFIED"] = "IDENTITY_VERIFIED"


# --- Paso 4: contact data and consents ---------------------------------------------------


# The Paso 4 address of the request examples (ContactData, Contact and the later changes build on it).
ADDRESS_EXAMPLE: dict[str, Any] = {
    "departmentCode": "11",
    "municipalityCode": "11001",
    "zone": "URBANA",
    "locality": "Chapinero",
    "address": "Calle 72 # 10-34, apto 802",
    "phone": "6013457890",
    "mobile": "3104567890",
}


class ContactData(Strict):
    """The Paso 4 address and phones: what PUT /me/contact changes later."""

    model_config = ConfigDict(json_schema_extra={"examples": [ADDRESS_EXAMPLE]})

    departmentCode: str = Field(pattern=r"^[0-9]{2}$", description="DIVIPOLA del departamento")
    municipalityCode: str = Field(pattern=r"^[0-9]{5}$", description="DIVIPOLA del municipio del departamento")
    zone: Literal["URBANA", "RURAL"]
    locality: str | None = Field(default=None, min_length=1, max_length=60, description="Localidad (opcional)")
    address: str = Field(min_length=5, max_length=120)
    phone: str = Field(max_length=20, description="Teléfono fijo: 60X + 7 dígitos")
    mobile: str = Field(max_length=20, description="Celular: 3XX + 7 dígitos")

    @field_validator("municipalityCode")
    @classmethod
    def _divipola(cls, value: str, info: ValidationInfo) -> str:
        department = info.data.get("departmentCode")
        if department is not None and not catalogs.is_divipola_pair(department, value):
            raise PydanticCustomError("divipola_mismatch", "municipality not in department")
        return value

    @field_validator("phone")
    @classmethod
    def _fixed(cls, value: str) -> str:
        return fixed_phone(value)

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        return mobile_phone(value)


class Contact(ContactData):
    """Paso 4 in full: the address and phones, the e-mail and the two consents (no default answer)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ADDRESS_EXAMPLE,
                    "email": "mauricio.correa@correo-ejemplo.com.co",
                    "consentEmail": True,
                    "consentSms": False,
                }
            ]
        }
    )

    email: str = Field(max_length=254)
    consentEmail: StrictBool = Field(description="¿Autoriza que el Ministerio le envíe información a su correo?")
    consentSms: StrictBool = Field(description="¿Autoriza que el Ministerio le envíe información a su celular?")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return email_address(value)


class ContactAccepted(BaseModel):
    registrationId: str
    status: Literal["PASSWORD_PENDING"] = "PASSWORD_PENDING"
    email: str = Field(description="Correo al que se envió el enlace para asignar la contraseña")
    linkExpiresAt: Timestamp
    nextResendAt: Timestamp = Field(description="Desde cuándo se puede pedir otro envío (repitiendo este PUT)")


# --- Paso 5: password ---------------------------------------------------------------------


class PasswordSetup(Strict):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=False,
        json_schema_extra={
            "examples": [
                {
                    "token": "7y9Hb6rP1hgotEQCSbaTi-FBdbmXQdlJpUSV72c16ds",
                    "password": "Clave-Segura#2026",
                    "passwordConfirmation": "Clave-Segura#2026",
                }
            ]
        },
    )

    token: str = Field(pattern=TOKEN_PATTERN)
    password: SecretStr = Field(max_length=1024)
    passwordConfirmation: SecretStr = Field(max_length=1024)


class PasswordResetRequest(Strict):
    """ "¿Olvidó su contraseña?": the answer is the same whether or not the document has an account."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"documentType": "CC", "documentNumber": "1056327685"}]})

    documentType: str = Field(pattern=r"^[A-Z]{2}$")
    documentNumber: str = Field(pattern=r"^[A-Za-z0-9]{1,16}$")


class PasswordResetAccepted(BaseModel):
    status: Literal["ACCEPTED"] = "ACCEPTED"


# --- Paso 6: sessions ---------------------------------------------------------------------


class Login(Strict):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=False,
        json_schema_extra={
            "examples": [{"documentType": "CC", "documentNumber": "1056327685", "password": "Clave-Segura#2026"}]
        },
    )

    documentType: str = Field(pattern=r"^[A-Z]{2}$")
    documentNumber: str = Field(pattern=r"^[A-Za-z0-9]{1,16}$")
    password: SecretStr = Field(min_length=1, max_length=1024)


class Refresh(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"refreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.ejemplo-de-token-de-refresco"}]
        }
    )

    refreshToken: SecretStr = Field(min_length=1, max_length=8192)


class Session(BaseModel):
    """No access token: only the ID token the API takes (decision 0027)."""

    idToken: str
    refreshToken: str | None = Field(default=None, description="Solo al iniciar sesión; el refresco no lo cambia")
    expiresIn: int
    tokenType: str


MFA_CODE_PATTERN = r"^[0-9]{6}$"


class MfaChallenge(BaseModel):
    challenge: Literal["SOFTWARE_TOKEN_MFA"] = "SOFTWARE_TOKEN_MFA"
    session: str = Field(description="Para POST /sessions/mfa; vence en 5 minutos y sirve una vez")


class MfaAnswer(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"session": "I7ncp808ZRQPaWAFC6AYOGwh3Fl_fWgTUfTlj2wpkAQ", "code": "492817"}]}
    )
    session: str = Field(pattern=TOKEN_PATTERN)
    code: str = Field(pattern=MFA_CODE_PATTERN, description="Código de 6 dígitos de la aplicación TOTP")


class TotpEnrolment(BaseModel):
    secretCode: str = Field(description="Secreto (base32) para la aplicación de códigos")
    otpauthUri: str = Field(description="El mismo secreto como URI otpauth:// (para un código QR)")


class TotpCode(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "492817"}]})

    code: str = Field(pattern=MFA_CODE_PATTERN, description="Código de 6 dígitos que muestra la aplicación")


# --- Mi perfil y Mi lista de roles ---------------------------------------------------------


class ContactView(BaseModel):
    departmentCode: str
    municipalityCode: str
    zone: str
    locality: str | None = None
    address: str
    phone: str
    mobile: str


class Consents(BaseModel):
    email: bool
    sms: bool
    policyVersion: str
    answeredAt: Timestamp


class Profile(BaseModel):
    username: str
    documentType: str | None = None
    documentNumber: str | None = None
    firstName: str | None = None
    middleName: str | None = None
    firstSurname: str | None = None
    secondSurname: str | None = None
    email: str | None = None
    contact: ContactView | None = None
    consents: Consents | None = None
    emailStatus: Literal["OK", "BOUNCED", "COMPLAINED"] = Field(
        default="OK", description="BOUNCED/COMPLAINED: SES reported the address; nothing more is sent to it"
    )
    emailStatusMessage: str | None = Field(default=None, description="what to do when emailStatus is not OK")


class EmailChange(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "mauricio.correa@nuevo-ejemplo.com.co"}]})

    email: str = Field(max_length=254, description="El correo nuevo; recibe el enlace de confirmación")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return email_address(value)


class EmailChangeRequested(BaseModel):
    email: str = Field(description="Correo al que se envió el enlace de confirmación")
    linkExpiresAt: Timestamp


class EmailConfirmation(Strict):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "7y9Hb6rP1hgotEQCSbaTi-FBdbmXQdlJpUSV72c16ds"}]}
    )
    token: str = Field(pattern=TOKEN_PATTERN)


class ConsentChange(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"emailConsent": True, "smsConsent": False}]})

    emailConsent: StrictBool = Field(description="¿Autoriza que el Ministerio le envíe información a su correo?")
    smsConsent: StrictBool = Field(description="¿Autoriza que el Ministerio le envíe información a su celular?")


class ConsentsView(BaseModel):
    emailConsent: bool
    smsConsent: bool
    policyVersion: str
    answeredAt: Timestamp


class Logout(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"refreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIn0.ejemplo-de-token-de-refresco"}]
        }
    )

    refreshToken: SecretStr = Field(min_length=1, max_length=8192)


class Role(BaseModel):
    role: str = Field(description="PERSONA_NATURAL, EMPLEADOR_PERSONA_JURIDICA, DELEGADO, AUTORIZADO_CCF, MINISTERIO")
    name: str
    nit: str | None = None
    businessName: str | None = None
    profile: str | None = None
    since: Timestamp | None = None


class Roles(BaseModel):
    username: str
    roles: list[Role]
