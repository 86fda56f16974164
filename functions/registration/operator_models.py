"""Bodies of the Ministry's operator administration and help desk (docs/backoffice.md "Operators", "Help desk";
decisions 0090, 0091). Requests forbid unknown fields."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from sat_common.fields import DocumentNumber, DocumentType, Strict, email_address, person_name

OPERATOR_ID_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{1,16}$"
# The names of sat_common.operator_groups (tests/infra/test_admin_route_groups.py checks they agree).
GroupName = Literal[
    "ministerio", "ministerio-revisor", "ministerio-catalogo", "ministerio-intercambio", "ministerio-auditor"
]
Reason = Annotated[str, Field(min_length=3, max_length=500, description="Motivo (queda en la auditoría)")]
Email = Annotated[str, Field(max_length=254), AfterValidator(email_address)]
# "Nombres y apellidos" as the administrator types them: the name rules of sat_common.fields, longer.
Names = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(person_name)]


def _distinct(groups: list[str]) -> list[str]:
    if len(set(groups)) != len(groups):
        raise PydanticCustomError("groups_repeated", "a group is repeated")
    return sorted(groups)


class OperatorInvite(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "documentType": "CC",
                    "documentNumber": "79845123",
                    "names": "Camila Andrea Ríos Peña",
                    "email": "camila.rios@minsalud-ejemplo.gov.co",
                    "groups": ["ministerio-intercambio"],
                }
            ]
        }
    )

    documentType: DocumentType
    documentNumber: DocumentNumber = Field(description="Sin puntos ni espacios")
    names: Names | None = Field(default=None, description="Si falta: nombre y apellido de la fuente de referencia")
    email: Email
    groups: Annotated[list[GroupName], Field(min_length=1, max_length=5), AfterValidator(_distinct)]


class OperatorChange(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "groups": ["ministerio-intercambio", "ministerio-auditor"],
                    "reason": "Rotación de funciones del equipo de intercambio",
                },
                {"enabled": False, "reason": "Retiro del funcionario"},
            ]
        }
    )

    groups: Annotated[list[GroupName], Field(max_length=5), AfterValidator(_distinct)] | None = Field(
        default=None, description="Los grupos que tendrá (reemplaza los actuales); [] le quita todo grupo de operador"
    )
    enabled: StrictBool | None = Field(default=None, description="false deshabilita la cuenta y cierra sus sesiones")
    reason: Reason


class Operator(BaseModel):
    operatorId: str
    documentType: str
    documentNumber: str
    names: str | None
    email: str | None
    groups: list[str]
    enabled: bool
    totpEnabled: bool
    status: Literal["ACTIVE", "INVITED"]


class OperatorInvited(Operator):
    invited: bool = Field(description="true: se envió el enlace para asignar la contraseña")


class OperatorPage(BaseModel):
    items: list[Operator]
    nextPageToken: str | None


class UnlockRequest(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "Caso 2026-4471 de la mesa de ayuda: identidad confirmada por llamada"}]
        }
    )

    reason: Reason
