"""Turn the seed file (local/seed/reference-data.json, see docs/seed.md) into reference-table items."""

from collections.abc import Iterator
from typing import Any

from sat_common import clock
from sat_common.reference import Company, Person
from sat_common.reference.keys import company_key, person_key, population_key
from sat_common.reference.populations import populations


def items_from_seed(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    people = [Person.model_validate(raw) for raw in document["people"]]
    companies = {company.nit: company for company in (Company.model_validate(raw) for raw in document["companies"])}
    for person in people:
        yield {**person_key(person.documentType, person.documentNumber), "data": person.model_dump(mode="json")}
    for company in companies.values():
        yield {**company_key(company.nit), "data": company.model_dump(mode="json")}
    # The identity questions' answer populations, counted in the same pass (decision 0026).
    for population in populations(people, companies, clock.now().date()):
        yield {**population_key(population.kind), "data": population.model_dump(mode="json")}
