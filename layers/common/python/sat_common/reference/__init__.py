"""Reference sources ("fuentes de referencia"): who a person is, which companies exist and who represents them.

Ports are small protocols; the DynamoDB adapter reads the reference table that the synthetic seed
fills locally (and that an operator fills, or replaces with an HTTP adapter, in a deployment).
"""

from datetime import date
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class IdentityFacts(BaseModel):
    """What only the person should know; the identity questions are built from these."""

    model_config = ConfigDict(frozen=True)

    eps: str
    pensionFund: str | None = None  # minors have no pension fund
    employerNit: str | None = None
    affiliationYear: int
    municipalityCode: str


class Person(BaseModel):
    model_config = ConfigDict(frozen=True)

    documentType: str
    documentNumber: str
    firstName: str
    middleName: str | None = None
    firstSurname: str
    secondSurname: str | None = None
    birthDate: date
    expeditionDate: date
    email: str | None = None
    facts: IdentityFacts


class DocumentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    documentType: str
    documentNumber: str


class Company(BaseModel):
    model_config = ConfigDict(frozen=True)

    nit: str
    dv: str
    businessName: str
    companyType: str
    contributorType: str
    status: str
    municipalityCode: str
    legalRepresentative: DocumentRef
    isCcf: bool = False


class Population(BaseModel):
    """How often each answer to one identity question occurs among the people of the reference source:
    counts only, no person. The questions draw their options from it (decision 0026)."""

    model_config = ConfigDict(frozen=True)

    kind: str  # eps, pensionFund, employer, affiliationYear, municipality
    counts: dict[str, int]  # value (a catalog code, a NIT, a year) -> people with it
    none: int = 0  # people of this population with no value (e.g. adults with no employer on record)
    labels: dict[str, str] = {}  # display text of values that are keys (employer NIT -> business name)


class PersonSource(Protocol):
    def person(self, document_type: str, document_number: str) -> Person | None: ...


class CompanySource(Protocol):
    def company(self, nit: str) -> Company | None: ...


class PopulationSource(Protocol):
    def population(self, kind: str) -> Population | None: ...
