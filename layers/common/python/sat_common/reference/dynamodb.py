"""DynamoDB adapter of the reference-source ports: one GetItem per lookup (never a Scan)."""

from typing import Any

from sat_common import aws
from sat_common.reference import Company, Person, Population
from sat_common.reference.keys import company_key, person_key, population_key


class DynamoDBReferenceSource:
    def __init__(self, table_name: str) -> None:
        self._table_name = table_name

    def person(self, document_type: str, document_number: str) -> Person | None:
        item = self._get(person_key(document_type, document_number))
        return Person.model_validate(item["data"]) if item else None

    def company(self, nit: str) -> Company | None:
        item = self._get(company_key(nit))
        return Company.model_validate(item["data"]) if item else None

    def population(self, kind: str) -> Population | None:
        item = self._get(population_key(kind))
        return Population.model_validate(item["data"]) if item else None

    def _get(self, key: dict[str, str]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = aws.table(self._table_name).get_item(Key=key, ConsistentRead=False).get("Item")
        return item
