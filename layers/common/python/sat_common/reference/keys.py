"""Item keys of the reference table (shared by the adapter, the seed loader and the import), built by
sat_common.keys."""

from sat_common import keys

PROFILE = keys.PROFILE


def person_key(document_type: str, document_number: str) -> dict[str, str]:
    return {"PK": keys.reference_person(document_type, document_number), "SK": PROFILE}


def company_key(nit: str) -> dict[str, str]:
    return {"PK": keys.reference_company(nit), "SK": PROFILE}


def population_key(kind: str) -> dict[str, str]:
    return {"PK": keys.population(kind), "SK": PROFILE}
