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


class PersonSource(Protocol):
    def person(self, document_type: str, document_number: str) -> Person | None: ...


class CompanySource(Protocol):
    def company(self, nit: str) -> Company | None: ...
