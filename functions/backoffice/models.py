"""Responses of the audit search. Class names are prefixed (Audit…) because the areas' OpenAPI documents merge."""

from typing import Any

from pydantic import BaseModel, Field

from sat_common.fields import Timestamp


class AuditEntryView(BaseModel):
    at: Timestamp
    action: str
    entity: str = Field(description="Lo que la entrada describe (documentos enmascarados salvo el buscado)")
    actor: str = Field(description="Quién actuó: documento enmascarado, client:<id>, system o anonymous")
    nit: str | None = None
    sourceIp: str | None = None
    userAgent: str | None = None
    details: dict[str, Any] = {}


class AuditPage(BaseModel):
    items: list[AuditEntryView]
    nextPageToken: str | None = Field(default=None, description="Páselo como pageToken, con los mismos filtros")
