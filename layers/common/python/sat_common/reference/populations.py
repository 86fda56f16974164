"""The populations of the identity questions' answers (decision 0026), computed when reference data is loaded.

For each question, how many people of the reference source have each answer. The question builder draws a
person's options from these counts, so a wrong option is exactly as plausible as the right one to anyone who
knows only what the population looks like. Whoever loads the reference source computes them in the same pass
(here `seed.items_from_seed`): a registration reads one item per question, never scans the people.

Pension fund and employer are counted over adults only: the basic data (birth date) already tells a minor,
who is not asked those questions.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from sat_common.reference import Company, Person, Population

ADULT_AGE = 18  # Colombian age of majority: adults are affiliated in their own name from it
KINDS = ("eps", "pensionFund", "employer", "affiliationYear", "municipality")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_adult(birth: date, day: date) -> bool:
    return age_on(birth, day) >= ADULT_AGE


def populations(people: Iterable[Person], companies: Mapping[str, Company], day: date) -> list[Population]:
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    none: Counter[str] = Counter()
    for person in people:
        facts = person.facts
        counts["eps"][facts.eps] += 1
        counts["affiliationYear"][str(facts.affiliationYear)] += 1
        counts["municipality"][facts.municipalityCode] += 1
        if not is_adult(person.birthDate, day):
            continue
        for kind, value in (("pensionFund", facts.pensionFund), ("employer", facts.employerNit)):
            if value:
                counts[kind][value] += 1
            else:
                none[kind] += 1
    labels = {nit: companies[nit].businessName for nit in counts["employer"] if nit in companies}
    return [
        Population(
            kind=kind,
            counts=dict(sorted(counts[kind].items())),
            none=none[kind],
            labels=labels if kind == "employer" else {},
        )
        for kind in KINDS
    ]
