from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    service: str
    stage: str


class CatalogItem(BaseModel):
    # Some catalogs carry more than code and name (departmentCode, appliesTo, pattern...).
    model_config = ConfigDict(extra="allow")

    code: str
    name: str


class CatalogPage(BaseModel):
    catalog: str
    source: str = Field(description="Fuente de los datos (norma, entidad o paquete y su licencia)")
    count: int
    items: list[CatalogItem]
