"""Synthetic reference extracts in the format of docs/reference-sources.md, for tests and the import benchmark.

    python scripts/synthetic_reference.py --people 100000 --companies 200 --out /tmp/extract

writes /tmp/extract/people.csv and /tmp/extract/companies.csv (seeded: the same arguments give the same
files). Names come from Faker (es_CO); every other value from the project's catalogs, so each row is valid.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "layers" / "common" / "python"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from ops.reference_extract import COMPANY_COLUMNS, PERSON_COLUMNS  # noqa: E402
from sat_common import catalogs  # noqa: E402


def _codes(name: str) -> list[str]:
    return sorted(catalogs.load(name).codes())


def companies(count: int, rng: random.Random) -> list[dict[str, Any]]:
    from stdnum.co import nit as nit_number

    municipalities = _codes("municipalities")
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    while len(rows) < count:
        nit = str(rng.randint(800_000_000, 999_999_999))
        if nit in used:
            continue
        used.add(nit)
        rows.append(
            {
                "nit": nit,
                "dv": nit_number.calc_check_digit(nit),
                "businessName": f"Empresa Sintética {len(rows) + 1} S.A.S.",
                "companyType": "SAS",
                "contributorType": "1",
                "status": "ACTIVA",
                "municipalityCode": rng.choice(municipalities),
                "legalRepresentativeDocumentType": "CC",
                "legalRepresentativeDocumentNumber": str(rng.randint(10_000_000, 99_999_999)),
                "isCcf": "false",
            }
        )
    return rows


def people(count: int, employer_nits: list[str], rng: random.Random, seed: int = 7) -> list[dict[str, Any]]:
    from faker import Faker

    fake = Faker("es_CO")
    fake.seed_instance(seed)
    eps, funds, municipalities = _codes("eps"), _codes("pension-funds"), _codes("municipalities")
    first_names = [n for n in {fake.first_name() for _ in range(400)} if n.replace(" ", "").isalpha()]
    last_names = [n for n in {fake.last_name() for _ in range(400)} if n.replace(" ", "").isalpha()]
    rows = []
    for index in range(count):
        birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55))
        expedition = birth + timedelta(days=365 * 18 + rng.randint(1, 365 * 5))
        rows.append(
            {
                "documentType": "CC",
                "documentNumber": str(1_000_000_000 + index),  # unique, 10 digits starting with 1
                "firstName": rng.choice(first_names),
                "middleName": rng.choice(first_names) if rng.random() < 0.4 else "",
                "firstSurname": rng.choice(last_names),
                "secondSurname": rng.choice(last_names) if rng.random() < 0.8 else "",
                "birthDate": birth.isoformat(),
                "expeditionDate": min(expedition, date(2025, 12, 31)).isoformat(),
                "email": f"persona{index}@example.com",
                "eps": rng.choice(eps),
                "pensionFund": rng.choice(funds) if rng.random() < 0.8 else "",
                "employerNit": rng.choice(employer_nits) if employer_nits and rng.random() < 0.7 else "",
                "affiliationYear": str(rng.randint(1995, 2025)),
                "municipalityCode": rng.choice(municipalities),
            }
        )
    return rows


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_extract(folder: Path, people_count: int, company_count: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    company_rows = companies(company_count, rng)
    people_rows = people(people_count, [c["nit"] for c in company_rows], rng, seed)
    return (
        write_csv(folder / "people.csv", PERSON_COLUMNS, people_rows),
        write_csv(folder / "companies.csv", COMPANY_COLUMNS, company_rows),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--companies", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    for path in write_extract(args.out, args.people, args.companies, args.seed):
        print(path)


if __name__ == "__main__":
    main()
