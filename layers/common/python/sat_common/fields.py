"""Request-model pieces every area validates the same way: the strict base model, a person's names,
document type and number (document-types catalog), e-mail address and Colombian phone numbers.

Checks raise PydanticCustomError(<key>, ...), <key> being a message key of sat_common.i18n.FIELD_MESSAGES,
so the 422 problem names the field with a Spanish (or English) message. Heavy libraries
(email_validator, phonenumbers) are imported on first use.
"""

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from sat_common import catalogs

NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, surrounding spaces stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def person_document_types() -> dict[str, dict[str, object]]:
    return {item["code"]: item for item in catalogs.load("document-types").items if item.get("appliesTo") == "person"}


def person_name(value: str) -> str:
    """Single spaces; letters with inner spaces, apostrophes or hyphens only."""
    value = " ".join(value.split())
    if not NAME_PATTERN.fullmatch(value):
        raise PydanticCustomError("name_format", "letters only")
    return value


def known_document_type(value: str) -> str:
    types = person_document_types()
    if value not in types:
        raise PydanticCustomError("unknown_document_type", "unknown document type", {"expected": ", ".join(types)})
    return value


def document_number(value: str, info: ValidationInfo) -> str:
    """Upper case, and the format of the model's documentType (validated before it) when that is known."""
    value = value.upper()
    kind = person_document_types().get(info.data.get("documentType", ""))
    if kind is not None and not re.fullmatch(str(kind["pattern"]), value):
        raise PydanticCustomError(
            "document_number_format", "bad document number", {"documentType": kind["code"], "rule": kind["rule"]}
        )
    return value


def email_address(value: str) -> str:
    """The normalized address (syntax only, no DNS)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError:
        raise PydanticCustomError("email_format", "bad e-mail") from None


def colombian_phone(value: str, kind: Literal["fixed", "mobile"]) -> str:
    """A Colombian fixed line (60X + 7 digits) or mobile (3XX + 7 digits), optionally +57, in E.164."""
    import phonenumbers

    key = "fixed_phone_format" if kind == "fixed" else "mobile_phone_format"
    digits = re.sub(r"[\s().-]", "", value)
    if digits.startswith("+57"):
        digits = digits[3:]
    pattern = r"60[1-8][0-9]{7}" if kind == "fixed" else r"3[0-9]{9}"
    if not re.fullmatch(pattern, digits):
        raise PydanticCustomError(key, "bad phone number")
    try:
        parsed = phonenumbers.parse(digits, "CO")
    except phonenumbers.NumberParseException:
        raise PydanticCustomError(key, "bad phone number") from None
    expected = (
        {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
        if kind == "fixed"
        else {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    )
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in expected:
        raise PydanticCustomError(key, "bad phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def fixed_phone(value: str) -> str:
    return colombian_phone(value, "fixed")


def mobile_phone(value: str) -> str:
    return colombian_phone(value, "mobile")


# Field types: the constraints are checked first (after stripping), then the normalizer.
Name = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(person_name)]
DocumentType = Annotated[
    str,
    Field(max_length=4, description="Código del catálogo document-types (personas)"),
    AfterValidator(known_document_type),
]
# Declare it after documentType: the format depends on the type.
DocumentNumber = Annotated[str, Field(max_length=16), AfterValidator(document_number)]


def stamped(value: object) -> object:
    """A stored timestamp as the API returns it: sat_common.clock.stamp's form (RFC 3339 UTC, milliseconds, `Z`),
    also for values stored before it (`+00:00`, second precision). Anything that is not a timestamp is left to
    the type check."""
    from sat_common import clock

    if not isinstance(value, str):
        return value
    try:
        return clock.stamp(clock.parse(value))
    except ValueError:
        return value


# Response timestamps: normalized on the way out, `format: date-time` in the OpenAPI.
Timestamp = Annotated[str, BeforeValidator(stamped), WithJsonSchema({"type": "string", "format": "date-time"})]


class PersonIdentity(Strict):
    """A person's document and names as a request gives them (checked later against the reference source)."""

    documentType: DocumentType
    documentNumber: DocumentNumber = Field(description="Sin puntos ni espacios")
    firstName: Name
    middleName: Name | None = None
    firstSurname: Name
    secondSurname: Name | None = None
