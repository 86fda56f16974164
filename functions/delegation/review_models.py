"""Response bodies of the Ministry's RUT review queue and viewer (decision 0092). Prefixed `Review…` because the
OpenAPI documents of all areas are merged and component names must not clash."""

from typing import Any

from pydantic import BaseModel, Field

from delegation.models import STATUSES
from sat_common.fields import Timestamp


class ReviewDocument(BaseModel):
    documentType: str
    documentNumber: str = Field(description="Enmascarado en la cola (solo los 4 últimos); completo en el detalle")


class ReviewPerson(ReviewDocument):
    names: str | None = None


class ReviewQueueItem(BaseModel):
    nit: str
    dv: str | None = None
    businessName: str | None = None
    status: STATUSES
    since: Timestamp | None = Field(default=None, description="Desde cuándo está en el estado (orden de la cola)")
    submittedAt: Timestamp | None = Field(default=None, description="Cuándo se aceptó el archivo del RUT")
    waitingSeconds: int | None = Field(default=None, description="Segundos desde `since`")
    legalRepresentative: ReviewDocument
    referenceMatch: bool
    rutStatus: str | None = None


class ReviewQueuePage(BaseModel):
    items: list[ReviewQueueItem]
    nextPageToken: str | None = None


class ReviewReference(BaseModel):
    found: bool
    businessName: str | None = None
    dv: str | None = None
    companyType: str | None = None
    status: str | None = None
    legalRepresentative: ReviewDocument | None = None


class ReviewComparison(BaseModel):
    field: str
    typed: str | None = None
    reference: str | None = None
    matches: bool


class ReviewRut(BaseModel):
    uploadId: str | None = None
    status: str | None = None
    sizeBytes: int | None = None
    sha256: str | None = None
    uploadedAt: Timestamp | None = None
    expiresAt: Timestamp | None = None
    rejectionCode: str | None = None
    rejection: str | None = None
    reviewedAt: Timestamp | None = None
    reviewedBy: str | None = None
    viewable: bool = Field(description="Hay un archivo que se puede abrir con GET /admin/employers/{nit}/rut")


class ReviewDelegate(BaseModel):
    documentType: str | None = None
    documentNumber: str | None = None
    names: str | None = None
    namedAt: Timestamp | None = None
    registered: bool


class ReviewCompany(BaseModel):
    nit: str
    dv: str | None = None
    businessName: str | None = None
    companyType: str | None = None
    status: STATUSES
    since: Timestamp | None = None
    referenceMatch: bool
    createdAt: Timestamp | None = None
    updatedAt: Timestamp | None = None
    confirmedAt: Timestamp | None = None
    legalRepresentative: ReviewPerson
    reference: ReviewReference
    comparison: list[ReviewComparison]
    rut: ReviewRut | None = None
    delegate: ReviewDelegate | None = None
    headquarters: dict[str, Any] | None = None


class ReviewRutLink(BaseModel):
    url: str = Field(description="GET firmado del PDF (S3), válido como máximo 5 minutos")
    expiresAt: Timestamp
    sizeBytes: int | None = None
    sha256: str | None = None
