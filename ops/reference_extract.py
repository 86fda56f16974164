"""Reading a reference extract (docs/reference-sources.md, "Extract format"): CSV, JSON Lines or the seed's
JSON document, validated row by row with the project's own field rules.

Every row becomes either a valid `Person`/`Company` (sat_common.reference, what the functions read) or a
`Rejected` naming its place (line number, or `people[i]` in a JSON document) and the fields at fault, never
their values: an extract is personal data and the report is printed on an operator's terminal.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from ops.errors import USAGE, OpsError
from sat_common import catalogs
from sat_common.fields import DocumentNumber, DocumentType, Name, Strict, email_address
from sat_common.reference import Company, Person

PERSON_COLUMNS = (
    "documentType",
    "documentNumber",
    "firstName",
    "middleName",
    "firstSurname",
    "secondSurname",
    "birthDate",
    "expeditionDate",
    "email",
    "eps",
    "pensionFund",
    "employerNit",
    "affiliationYear",
    "municipalityCode",
)
COMPANY_COLUMNS = (
    "nit",
    "dv",
    "businessName",
    "companyType",
    "contributorType",
    "status",
    "municipalityCode",
    "legalRepresentativeDocumentType",
    "legalRepresentativeDocumentNumber",
    "isCcf",
)
FACT_COLUMNS = ("eps", "pensionFund", "employerNit", "affiliationYear", "municipalityCode")
Format = Literal["csv", "jsonl", "json"]


def _in_catalog(name: str) -> Any:
    def check(value: str) -> str:
        if value not in catalogs.load(name).codes():
            raise PydanticCustomError("not_in_catalog", f"not a code of the {name} catalog")
        return value

    return AfterValidator(check)


Nit = Annotated[str, Field(pattern=r"^[0-9]{9}$")]  # document-types NI: 9 digits, the DV apart
Municipality = Annotated[str, _in_catalog("municipalities")]


class ExtractFacts(Strict):
    eps: Annotated[str, _in_catalog("eps")]
    pensionFund: Annotated[str, _in_catalog("pension-funds")] | None = None
    employerNit: Nit | None = None
    affiliationYear: int = Field(ge=1900, le=2100)
    municipalityCode: Municipality


class ExtractPerson(Strict):
    documentType: DocumentType
    documentNumber: DocumentNumber
    firstName: Name
    middleName: Name | None = None
    firstSurname: Name
    secondSurname: Name | None = None
    birthDate: date
    expeditionDate: date
    email: Annotated[str, Field(max_length=254), AfterValidator(email_address)] | None = None
    facts: ExtractFacts

    @model_validator(mode="after")
    def _dates(self) -> ExtractPerson:
        if self.birthDate > date.today():
            raise PydanticCustomError("birth_date_future", "birthDate is in the future")
        if self.expeditionDate < self.birthDate or self.expeditionDate > date.today():
            raise PydanticCustomError("expedition_date_range", "expeditionDate before birthDate or in the future")
        return self


class ExtractRepresentative(Strict):
    documentType: DocumentType
    documentNumber: DocumentNumber


class ExtractCompany(Strict):
    nit: Nit
    dv: str = Field(pattern=r"^[0-9]$")
    businessName: str = Field(min_length=1, max_length=200)
    companyType: Annotated[str, _in_catalog("company-types")]
    contributorType: Annotated[str, _in_catalog("contributor-types")]
    status: str = Field(pattern=r"^[A-Z_]{3,20}$")  # e.g. ACTIVA, CANCELADA (the RUES registry's state)
    municipalityCode: Municipality
    legalRepresentative: ExtractRepresentative
    isCcf: bool = False

    @model_validator(mode="after")
    def _check_digit(self) -> ExtractCompany:
        from stdnum.co import nit

        if not nit.is_valid(self.nit + self.dv):
            raise PydanticCustomError("nit_check_digit", "dv is not the NIT's check digit")
        return self


@dataclass(frozen=True)
class Rejected:
    where: str  # "line 12" or "people[3]"
    problems: tuple[str, ...]  # "documentNumber (document_number_format)"

    def __str__(self) -> str:
        return f"{self.where}: {'; '.join(self.problems)}"


Row = Person | Company | Rejected


def detect_format(path: Path, given: str | None) -> Format:
    if given:
        if given not in ("csv", "jsonl", "json"):
            raise OpsError(f"--format must be csv, jsonl or json, not {given!r}", USAGE)
        return given  # type: ignore[return-value]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    raise OpsError(f"cannot tell the format of {path.name}: name it .csv, .jsonl or .json, or pass --format", USAGE)


def read_rows(path: Path, fmt: Format) -> Iterator[Row]:
    if not path.is_file():
        raise OpsError(f"{path} is not a readable file", USAGE)
    if fmt == "csv":
        yield from _csv_rows(path)
    elif fmt == "jsonl":
        yield from _jsonl_rows(path)
    else:
        yield from _json_rows(path)


def validate(kind: str, raw: Any, where: str) -> Row:
    model = ExtractPerson if kind == "person" else ExtractCompany if kind == "company" else None
    if model is None:
        return Rejected(where, (f"kind ({kind!r} is neither person nor company)",))
    if not isinstance(raw, dict):
        return Rejected(where, ("not an object",))
    try:
        checked: BaseModel = model.model_validate(raw)
    except ValidationError as error:
        return Rejected(where, tuple(_problem(e) for e in error.errors()))
    target = Person if kind == "person" else Company
    return target.model_validate(checked.model_dump(mode="json"))


def _problem(error: Any) -> str:
    field = ".".join(str(part) for part in error.get("loc", ())) or "row"
    return f"{field} ({error.get('type', 'invalid')})"


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # Excel writes a BOM
        header_line = handle.readline()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        header = next(csv.reader([header_line], delimiter=delimiter))
        header = [name.strip() for name in header]
        kind = _csv_kind(header)
        reader = csv.reader(handle, delimiter=delimiter)
        last = 0  # lines the reader has consumed after the header (a quoted cell may span several)
        for cells in reader:
            line, last = last + 2, reader.line_num  # the record's first line; the header was line 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                yield Rejected(f"line {line}", (f"row ({len(cells)} cells, the header has {len(header)})",))
                continue
            values = {name: (cell.strip() or None) for name, cell in zip(header, cells, strict=True)}
            yield validate(
                kind, _person_from_cells(values) if kind == "person" else _company_from_cells(values), f"line {line}"
            )


def _csv_kind(header: list[str]) -> str:
    if set(header) == set(PERSON_COLUMNS):
        return "person"
    if set(header) == set(COMPANY_COLUMNS):
        return "company"
    raise OpsError(
        "the CSV header must list exactly the person columns or the company columns of docs/reference-sources.md "
        f"(missing or unknown: {sorted(set(header) ^ set(PERSON_COLUMNS))} for people, "
        f"{sorted(set(header) ^ set(COMPANY_COLUMNS))} for companies)",
        USAGE,
    )


def _person_from_cells(values: dict[str, str | None]) -> dict[str, Any]:
    person: dict[str, Any] = {k: v for k, v in values.items() if k not in FACT_COLUMNS and v is not None}
    facts: dict[str, Any] = {k: values[k] for k in FACT_COLUMNS if values[k] is not None}
    if "affiliationYear" in facts and str(facts["affiliationYear"]).isdigit():
        facts["affiliationYear"] = int(str(facts["affiliationYear"]))
    return {**person, "facts": facts}


def _company_from_cells(values: dict[str, str | None]) -> dict[str, Any]:
    company: dict[str, Any] = {
        k: v for k, v in values.items() if not k.startswith("legalRepresentative") and k != "isCcf" and v is not None
    }
    company["legalRepresentative"] = {
        "documentType": values["legalRepresentativeDocumentType"],
        "documentNumber": values["legalRepresentativeDocumentNumber"],
    }
    flag = (values.get("isCcf") or "false").lower()
    company["isCcf"] = {"true": True, "1": True, "si": True, "sí": True, "false": False, "0": False, "no": False}.get(
        flag, flag
    )
    return company


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, 1):
            if not text.strip():
                continue
            try:
                raw = json.loads(text)
            except ValueError:
                yield Rejected(f"line {number}", ("row (not valid JSON)",))
                continue
            kind = raw.pop("kind", None) if isinstance(raw, dict) else None
            yield validate(str(kind), raw, f"line {number}")


def _json_rows(path: Path) -> Iterator[Row]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise OpsError(f"{path.name} is not valid JSON ({error.msg} at line {error.lineno})", USAGE) from None
    if not isinstance(document, dict) or not ({"people", "companies"} & set(document)):
        raise OpsError(f"{path.name} must be an object with a 'people' and/or a 'companies' list", USAGE)
    for index, raw in enumerate(document.get("people") or []):
        yield validate("person", raw, f"people[{index}]")
    for index, raw in enumerate(document.get("companies") or []):
        yield validate("company", raw, f"companies[{index}]")
