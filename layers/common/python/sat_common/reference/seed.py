"""Turn the seed file (local/seed/reference-data.json, see docs/seed.md) into reference-table items."""

from collections.abc import Iterator
from typing import Any

from sat_common.reference import Company, Person
from sat_common.reference.keys import company_key, person_key


def items_from_seed(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for raw in document["people"]:
        person = Person.model_validate(raw)
        yield {**person_key(person.documentType, person.documentNumber), "data": person.model_dump(mode="json")}
    for raw in document["companies"]:
        company = Company.model_validate(raw)
        yield {**company_key(company.nit), "data": company.model_dump(mode="json")}
