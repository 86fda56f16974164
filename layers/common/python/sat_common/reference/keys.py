"""Item keys of the reference table (shared by the adapter and the seed loader)."""

PROFILE = "PROFILE"


def person_key(document_type: str, document_number: str) -> dict[str, str]:
    return {"PK": f"PERSON#{document_type}#{document_number}", "SK": PROFILE}


def company_key(nit: str) -> dict[str, str]:
    return {"PK": f"COMPANY#{nit}", "SK": PROFILE}


def population_key(kind: str) -> dict[str, str]:
    return {"PK": f"POPULATION#{kind}", "SK": PROFILE}
