"""Request and response models of the share area (product.md: /ccfs/{nit}/shared-services rows).

Pydantic checks types, lengths and the cheap pure rules (name, control characters, example body,
scope); the URL safety rules (DNS) and the key parsing run after the caller is authorized (validation.py).
"""

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from sat_common.fields import Timestamp

NIT_PATTERN = r"^\d{9}$"
SHARED_SERVICE_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,63}$")
SCOPE_PATTERN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$")  # RFC 6749 §3.3
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f]")
MAX_EXAMPLE_BODY_BYTES = 16 * 1024
MAX_PUBLIC_KEY_CHARS = 16 * 1024
Operation = Literal["POST", "GET", "PUT", "PATCH"]
# What the service is for (decision 0106): NOTIFICACION_TRAMITES receives the trámite notifications (at most one
# per CCF); OTRO is any other service. The name is free.
Purpose = Literal["NOTIFICACION_TRAMITES", "OTRO"]
PURPOSE_DESCRIPTION = (
    "Propósito: NOTIFICACION_TRAMITES (recibe las notificaciones de trámites; uno por CCF) u OTRO. Si se omite: "
    "NOTIFICACION_TRAMITES cuando el nombre es NotificacionTramite, si no OTRO"
)
Status = Literal["INCOMPLETE", "PENDING_VERIFICATION", "ACTIVE", "DISABLED"]


def _name(value: str | None) -> str | None:
    if value is not None and not NAME_PATTERN.match(value):
        raise PydanticCustomError("shared_name_format", "invalid name")
    return value


def _single_line(value: str | None) -> str | None:
    if value is not None and CONTROL_OR_NEWLINE.search(value):
        raise PydanticCustomError("control_characters", "control characters")
    return value


def _text(value: str | None) -> str | None:
    if value is not None and CONTROL.search(value):
        raise PydanticCustomError("control_characters", "control characters")
    return value


def _example_body(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value.encode()) > MAX_EXAMPLE_BODY_BYTES:
        raise PydanticCustomError("example_body_too_large", "too large", {"maxBytes": MAX_EXAMPLE_BODY_BYTES})
    try:
        json.loads(value)
    except (ValueError, RecursionError):
        raise PydanticCustomError("example_body_json", "not JSON") from None
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SharedServiceCreate(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "NotificacionTramite",
                    "description": "Recepción de las notificaciones de trámites del SAT",
                    "purpose": "NOTIFICACION_TRAMITES",
                    "url": "https://api.cajaandina-ejemplo.com.co/sat/notificaciones",
                    "operation": "POST",
                }
            ]
        }
    )

    name: str = Field(
        description="Identificador del servicio, único en la CCF (3 a 64: letras, dígitos, . _ -)",
        examples=["NotificacionTramite"],
    )
    description: str = Field(min_length=1, max_length=500, description="Descripción corta de la funcionalidad")
    purpose: Purpose | None = Field(default=None, description=PURPOSE_DESCRIPTION)
    url: str = Field(
        min_length=1,
        max_length=2048,
        description="URL del servicio (endpoint), https y accesible desde internet",
        examples=["https://api.caja.example.co/sat/notificaciones"],
    )
    operation: Operation = Field(description="Operación HTTP")
    publicKey: str | None = Field(
        default=None,
        max_length=MAX_PUBLIC_KEY_CHARS,
        description="Llave pública (PEM) o certificado X.509 (PEM): RSA ≥ 2048 o EC P-256/P-384",
    )
    exampleBody: str | None = Field(
        default=None, description="Ejemplo del cuerpo (JSON como texto, máximo 16 KiB); solo informativo"
    )

    _check_name = field_validator("name")(classmethod(lambda cls, value: _name(value)))
    _check_lines = field_validator("url")(classmethod(lambda cls, value: _single_line(value)))
    _check_text = field_validator("description", "publicKey")(classmethod(lambda cls, value: _text(value)))
    _check_example = field_validator("exampleBody")(classmethod(lambda cls, value: _example_body(value)))


class SharedServicePatch(Strict):
    """Only the fields sent change. publicKey null removes the key; exampleBody null removes the example.

    A new url of a service whose OAuth part is stored needs every secret again (password when a username is
    registered, clientSecret): they are accepted only with that change (decision 0054)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://servicios.cajaandina-ejemplo.com.co/sat/notificaciones",
                    "clientSecret": "nuevo-secreto-de-ejemplo-2026",
                }
            ]
        }
    )

    name: str | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    purpose: Purpose | None = Field(default=None, description="NOTIFICACION_TRAMITES u OTRO")
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    operation: Operation | None = None
    publicKey: str | None = Field(default=None, max_length=MAX_PUBLIC_KEY_CHARS)
    exampleBody: str | None = None
    password: str | None = Field(
        default=None,
        min_length=1,
        max_length=1024,
        json_schema_extra={"writeOnly": True},
        description="Contraseña OAuth de nuevo: obligatoria al cambiar url si hay usuario registrado",
    )

    clientSecret: str | None = Field(
        default=None,
        min_length=1,
        max_length=2048,
        json_schema_extra={"writeOnly": True},
        description="Client Secret de nuevo: obligatorio al cambiar url si el servicio ya tiene credenciales OAuth",
    )

    _check_name = field_validator("name")(classmethod(lambda cls, value: _name(value)))
    _check_lines = field_validator("url")(classmethod(lambda cls, value: _single_line(value)))
    _check_text = field_validator("description", "publicKey", "password", "clientSecret")(
        classmethod(lambda cls, value: _text(value))
    )
    _check_example = field_validator("exampleBody")(classmethod(lambda cls, value: _example_body(value)))


class SharedServiceOAuthRequest(Strict):
    """PUT replaces the OAuth part. password / clientSecret omitted (or null): the stored value is kept, unless
    tokenUrl, username or clientId change: then every secret must be sent again (decision 0054)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tokenName": "Token para el Ministerio",
                    "tokenUrl": "https://auth.cajaandina-ejemplo.com.co/oauth2/token",
                    "clientId": "ministerio-sat",
                    "clientSecret": "secreto-de-ejemplo-cambie-esto",
                    "scope": "notificaciones",
                }
            ]
        }
    )

    tokenName: str = Field(min_length=1, max_length=120, description="Identificador del servicio de autorización")
    tokenUrl: str = Field(min_length=1, max_length=2048, description="URL del servicio de token (https)")
    username: str | None = Field(default=None, min_length=1, max_length=256)
    password: str | None = Field(default=None, min_length=1, max_length=1024, json_schema_extra={"writeOnly": True})
    clientId: str = Field(min_length=1, max_length=256)
    clientSecret: str | None = Field(default=None, min_length=1, max_length=2048, json_schema_extra={"writeOnly": True})
    scope: str | None = Field(default=None, min_length=1, max_length=1024)

    _check_lines = field_validator("tokenName", "tokenUrl", "username", "clientId")(
        classmethod(lambda cls, value: _single_line(value))
    )

    _check_text = field_validator("password", "clientSecret")(classmethod(lambda cls, value: _text(value)))

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        if value is not None and not SCOPE_PATTERN.match(value):
            raise PydanticCustomError("oauth_scope_format", "bad scope")
        return value


class SharedServiceOAuth(BaseModel):
    tokenName: str
    tokenUrl: str
    username: str | None = None
    clientId: str
    scope: str | None = None
    grantType: Literal["password", "client_credentials"]


class SharedServiceConnection(BaseModel):
    status: Literal["AUTHORIZED", "FAILED"]
    detail: str = Field(description="Resultado de la última prueba de conexión, en español")
    checkedAt: Timestamp


class SharedServiceVerifiedConfiguration(BaseModel):
    """Where the notifications still go while the current configuration waits for its connection test (decision
    0111)."""

    url: str = Field(description="URL a la que siguen llegando las notificaciones")
    oauth: SharedServiceOAuth | None = None
    checkedAt: Timestamp | None = Field(default=None, description="Cuándo pasó su prueba de conexión")


class SharedService(BaseModel):
    sharedServiceId: str
    nit: str
    name: str
    description: str
    purpose: Purpose
    url: str
    operation: str
    exampleBody: str | None = None
    status: Status = Field(description="DISABLED: las entregas fallaron (410 o días seguidos); se reactiva al probar")
    disabledAt: Timestamp | None = None
    disabledReason: str | None = Field(default=None, examples=["HTTP_410", "FALLA_PROLONGADA"])
    hasPublicKey: bool
    publicKeyType: str | None = Field(default=None, examples=["RSA-2048", "EC-P-256"])
    publicKeyFormat: str | None = Field(default=None, examples=["PUBLIC_KEY", "CERTIFICATE"])
    publicKeyFingerprint: str | None = Field(default=None, description="SHA-256 de la llave (SPKI DER), hex")
    certificateNotAfter: Timestamp | None = None
    publicKeys: list["SharedServiceKey"] = Field(
        default_factory=list, description="Llaves públicas registradas (hasta dos); el JWE va a la más reciente"
    )
    hasPassword: bool
    hasClientSecret: bool
    oauth: SharedServiceOAuth | None = None
    connection: SharedServiceConnection | None = None
    verifiedConfiguration: SharedServiceVerifiedConfiguration | None = Field(
        default=None,
        description="Con status PENDING_VERIFICATION tras cambiar url o datos OAuth: la última configuración "
        "verificada, a la que siguen llegando las notificaciones hasta que la nueva pase la prueba de conexión. "
        "Nula si no hay ninguna (las notificaciones esperan) o si la configuración actual es la verificada (ACTIVE)",
    )
    createdAt: Timestamp
    updatedAt: Timestamp


class SharedServiceKeyCreate(Strict):
    """One more public key of the service (decision 0102): at most two, the pull's JWE goes to the newest."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "publicKey": (
                        "-----BEGIN PUBLIC KEY-----\n"
                        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUZ+QJSL+Oq+J/usDJW0bxWRJ0Na9\n"
                        "+1sXdE0V629GlhCi2i1ZzK/x/0RfbqL0J4+InCK2q5PMT7MFrJRUu+AkBA==\n"
                        "-----END PUBLIC KEY-----\n"
                    )
                }
            ]
        }
    )

    publicKey: str = Field(
        min_length=1,
        max_length=MAX_PUBLIC_KEY_CHARS,
        description="Llave pública (PEM) o certificado X.509 (PEM): RSA ≥ 2048 o EC P-256/P-384",
    )

    _check_text = field_validator("publicKey")(classmethod(lambda cls, value: _text(value)))


class SharedServiceKey(BaseModel):
    kid: str | None = Field(
        description="Huella RFC 7638 de la llave (SHA-256, base64url): el `kid` del JWE. Nula para una llave "
        "registrada antes de las dos llaves, hasta el siguiente cambio del servicio"
    )

    keyType: str = Field(examples=["RSA-2048", "EC-P-256"])
    format: str = Field(examples=["PUBLIC_KEY", "CERTIFICATE"])
    fingerprint: str = Field(description="SHA-256 de la llave (SPKI DER), hex")
    certificateNotAfter: Timestamp | None = None
    addedAt: Timestamp
    newest: bool = Field(description="La consulta (pull) se cifra a esta llave")


class SharedServiceCreated(BaseModel):
    sharedServiceId: str
    status: Status


class SharedServicePage(BaseModel):
    items: list[SharedService]
    nextToken: str | None = Field(default=None, description="Pase este valor en nextToken para la página siguiente")


class SharedServiceVerification(BaseModel):
    status: Literal["AUTHORIZED", "FAILED"]
    detail: str = Field(description="Resultado de la prueba del servicio de token y del servicio (url), en español")
    checkedAt: Timestamp


class SharedServiceTestNotification(BaseModel):
    status: Literal["ACUSADA", "SIN_ACUSE", "FALLIDA"] = Field(
        description="ACUSADA: el servicio acusó recibo (2xx con el numero_transaccion); SIN_ACUSE: 2xx sin acuse; "
        "FALLIDA: token, transporte o respuesta no 2xx"
    )
    httpStatus: int | None = None
    latencyMs: int | None = None
    detail: str = Field(description="El resultado en español")
