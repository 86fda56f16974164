"""The identity-question generator as it was before decision 0026, frozen for `scripts/bench_kba.py`'s baseline.

A verbatim copy of the distractor logic of functions/registration/questions.py before the change (fixed
vocabulary of invented company names, five consecutive years, municipalities of the same department, four
questions of five, three right answers to pass). Not used by any function: it only lets the benchmark say
how much the change bought. Do not "fix" it.
"""

import hashlib
import random
from typing import Any

from sat_common import catalogs
from sat_common.reference import Person

OPTIONS_PER_QUESTION = 5
NONE_KEY = "NONE"
EARLIEST_AFFILIATION_YEAR = 1950
QUESTIONS_PER_SET = 4
MIN_CORRECT = 3

_COMPANY_WORDS = (
    "Inversiones", "Comercializadora", "Industrias", "Distribuciones", "Soluciones", "Constructora", "Logística",
    "Tecnología", "Consultores", "Transportes", "Alimentos", "Confecciones", "Laboratorios", "Agroindustrial",
    "Servicios Integrales",
)  # fmt: skip
_SURNAMES = (
    "Acosta", "Álvarez", "Arango", "Barrera", "Cárdenas", "Castaño", "Díaz", "Duarte", "Escobar", "Franco",
    "García", "Giraldo", "Guzmán", "Jaramillo", "Londoño", "Mejía", "Montoya", "Navarro", "Ortiz", "Ospina",
    "Pardo", "Peña", "Quiroga", "Restrepo", "Rojas", "Salcedo", "Suárez", "Uribe", "Valencia", "Zapata",
)  # fmt: skip
_COMPANY_SUFFIXES = ("S.A.S.", "S.A.S.", "S.A.S.", "S.A.", "Ltda.")
_CCF_PREFIX = "Caja de Compensación Familiar"
_CCF_WORDS = ("Ejemplo", "Demostración", "Ficticia", "Prueba", "Ensayo", "Simulada", "Modelo", "Muestra")
_CCF_REGIONS = (
    "Andina", "del Caribe", "del Llano", "del Pacífico", "de los Santanderes", "del Eje Cafetero", "del Sur",
    "del Huila", "de Oriente", "del Magdalena",
)  # fmt: skip


def build_bank(person: Person, employer_name: str | None, seed: str, this_year: int) -> list[dict[str, Any]]:
    bank: list[dict[str, Any]] = []

    def add(kind: str, correct: str, distractors: list[str]) -> None:
        bank.append({"kind": kind, "options": [correct, *distractors][:OPTIONS_PER_QUESTION], "correct": 0})

    eps = catalogs.load("eps").find(person.facts.eps)
    if eps:
        others = [item["name"] for item in catalogs.load("eps").items if item["code"] != eps["code"]]
        add("eps", eps["name"], _sample(seed, "eps", others, OPTIONS_PER_QUESTION - 1))
    fund = catalogs.load("pension-funds").find(person.facts.pensionFund or "")
    if fund:
        others = [item["name"] for item in catalogs.load("pension-funds").items if item["code"] != fund["code"]]
        add("pensionFund", fund["name"], _sample(seed, "pensionFund", others, OPTIONS_PER_QUESTION - 1))
    bank.append(_employer(seed, employer_name))
    bank.append(_year(seed, person.facts.affiliationYear, this_year))
    municipality = _municipality(seed, person.facts.municipalityCode)
    if municipality:
        bank.append(municipality)
    return bank


def _rng(seed: str, kind: str) -> random.Random:
    return random.Random(hashlib.sha256(f"{seed}:{kind}".encode()).digest())


def _sample(seed: str, kind: str, pool: list[str], count: int) -> list[str]:
    unique = sorted(set(pool))
    return _rng(seed, kind).sample(unique, min(count, len(unique)))


def _employer(seed: str, employer_name: str | None) -> dict[str, Any]:
    rng = _rng(seed, "employer")
    ccf_style = bool(employer_name and employer_name.startswith(_CCF_PREFIX))
    wanted = OPTIONS_PER_QUESTION - 1 - (1 if employer_name else 0)
    names: list[str] = []
    while len(names) < wanted:
        if ccf_style:
            name = f"{_CCF_PREFIX} {rng.choice(_CCF_WORDS)} {rng.choice(_CCF_REGIONS)}"
        else:
            surnames = " ".join(rng.sample(_SURNAMES, rng.choice((1, 2))))
            name = f"{rng.choice(_COMPANY_WORDS)} {surnames} {rng.choice(_COMPANY_SUFFIXES)}"
        if name != employer_name and name not in names:
            names.append(name)
    if employer_name:
        return {"kind": "employer", "options": [employer_name, *names, NONE_KEY], "correct": 0}
    return {"kind": "employer", "options": [NONE_KEY, *names], "correct": 0}


def _year(seed: str, year: int, this_year: int) -> dict[str, Any]:
    position = _rng(seed, "affiliationYear").randrange(OPTIONS_PER_QUESTION)
    first = year - position
    last = first + OPTIONS_PER_QUESTION - 1
    if last > this_year:
        first -= last - this_year
    first = max(first, EARLIEST_AFFILIATION_YEAR)
    years = [str(value) for value in range(first, first + OPTIONS_PER_QUESTION)]
    others = [value for value in years if value != str(year)]
    return {"kind": "affiliationYear", "options": [str(year), *others], "correct": 0}


def _municipality(seed: str, code: str) -> dict[str, Any] | None:
    municipality = catalogs.load("municipalities").find(code)
    if municipality is None:
        return None
    department = municipality["departmentCode"]

    def label(item: dict[str, Any]) -> str:
        found = catalogs.load("departments").find(item["departmentCode"])
        return f"{item['name']} ({found['name'] if found else item['departmentCode']})"

    same = [label(item) for item in catalogs.municipalities_of(department) if item["code"] != code]
    distractors = _sample(seed, "municipality", same, OPTIONS_PER_QUESTION - 1)
    if len(distractors) < OPTIONS_PER_QUESTION - 1:
        elsewhere = [
            label(item) for item in catalogs.load("municipalities").items if item["departmentCode"] != department
        ]
        distractors += _sample(seed, "municipality-elsewhere", elsewhere, OPTIONS_PER_QUESTION - 1 - len(distractors))
    return {"kind": "municipality", "options": [label(municipality), *distractors], "correct": 0}
