"""Identity questions (manual §5 Paso 3) built from the person's reference facts.

A *bank* holds one question per fact the person has (EPS, pension fund, employer, affiliation year,
municipality), each with its correct answer and plausible distractors from the catalogs. The bank is
built once per registration and kept server-side; each *set* shown to the person draws N questions
from it at random, with new ids and the options in a new order.

Distractors are drawn with a per-person random seed stored in the main table, so they are the same
in every set and every registration of that person: an attacker who asks for several sets cannot
find the right answer as "the option that is always there". Option ids are random per set.
"""

import hashlib
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sat_common import catalogs
from sat_common.i18n import ENGLISH, SPANISH
from sat_common.reference import Person

OPTIONS_PER_QUESTION = 5
NONE_KEY = "NONE"
EARLIEST_AFFILIATION_YEAR = 1950

TEXTS: dict[str, dict[str, str]] = {
    "eps": {SPANISH: "¿A cuál EPS está afiliado?", ENGLISH: "Which EPS (health insurer) are you enrolled in?"},
    "pensionFund": {
        SPANISH: "¿A qué fondo de pensiones está afiliado?",
        ENGLISH: "Which pension fund are you enrolled in?",
    },
    "employer": {SPANISH: "¿Para cuál empresa trabaja?", ENGLISH: "Which company do you work for?"},
    "affiliationYear": {
        SPANISH: "¿En qué año se afilió al Sistema General de Seguridad Social?",
        ENGLISH: "In which year did you join the social security system?",
    },
    "municipality": {SPANISH: "¿En qué municipio vive?", ENGLISH: "In which municipality do you live?"},
}
NONE_TEXT = {SPANISH: "Ninguna de las anteriores", ENGLISH: "None of the above"}

# Invented company names in the style of the reference source, for the employer question's distractors.
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


@dataclass(frozen=True)
class Facts:
    """What the questions need, resolved to display texts."""

    person: Person
    employer_name: str | None


def build_bank(facts: Facts, seed: str, this_year: int) -> list[dict[str, Any]]:
    """One entry per askable fact: {"kind", "options": [text or NONE_KEY], "correct": index}."""
    person = facts.person
    bank: list[dict[str, Any]] = []

    def add(kind: str, correct: str, distractors: list[str]) -> None:
        options = [correct, *distractors][:OPTIONS_PER_QUESTION]
        bank.append({"kind": kind, "options": options, "correct": 0})

    eps = catalogs.load("eps").find(person.facts.eps)
    if eps:
        others = [item["name"] for item in catalogs.load("eps").items if item["code"] != eps["code"]]
        add("eps", eps["name"], _sample(seed, "eps", others, OPTIONS_PER_QUESTION - 1))
    fund = catalogs.load("pension-funds").find(person.facts.pensionFund or "")
    if fund:
        others = [item["name"] for item in catalogs.load("pension-funds").items if item["code"] != fund["code"]]
        add("pensionFund", fund["name"], _sample(seed, "pensionFund", others, OPTIONS_PER_QUESTION - 1))
    bank.append(_employer(seed, facts.employer_name))
    bank.append(_year(seed, person.facts.affiliationYear, this_year))
    municipality = _municipality(seed, person.facts.municipalityCode)
    if municipality:
        bank.append(municipality)
    return bank


def new_set(bank: list[dict[str, Any]], count: int) -> dict[str, Any]:
    """A fresh question set from the bank: random questions, random order, random option ids."""
    chooser = secrets.SystemRandom()
    set_id = secrets.token_hex(6)
    entries = chooser.sample(bank, min(count, len(bank)))
    questions = []
    for index, entry in enumerate(entries):
        ids = [secrets.token_hex(4) for _ in entry["options"]]
        order = list(range(len(entry["options"])))
        chooser.shuffle(order)
        questions.append(
            {
                "questionId": f"{set_id}.{index}",
                "kind": entry["kind"],
                "options": [{"optionId": ids[position], "text": entry["options"][position]} for position in order],
                "correct": ids[entry["correct"]],
            }
        )
    return {"setId": set_id, "questions": questions}


def public_questions(question_set: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """What the person sees: never the correct option."""
    return [
        {
            "questionId": question["questionId"],
            "text": TEXTS[question["kind"]][lang],
            "options": [
                {
                    "optionId": option["optionId"],
                    "text": NONE_TEXT[lang] if option["text"] == NONE_KEY else option["text"],
                }
                for option in question["options"]
            ],
        }
        for question in question_set["questions"]
    ]


def score(question_set: dict[str, Any], chosen: dict[str, str]) -> int:
    return sum(1 for question in question_set["questions"] if chosen.get(question["questionId"]) == question["correct"])


# --- distractors ------------------------------------------------------------------------------


def _rng(seed: str, kind: str) -> random.Random:
    # Not for secrecy: it makes the distractors repeatable; the seed itself is random and server-side.
    return random.Random(hashlib.sha256(f"{seed}:{kind}".encode()).digest())  # noqa: S311


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
    # No employer on record: "none of the above" is the right answer; the option is always offered.
    return {"kind": "employer", "options": [NONE_KEY, *names], "correct": 0}


def _year(seed: str, year: int, this_year: int) -> dict[str, Any]:
    # Five consecutive years with the right one at a position fixed per person (not always the middle).
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
    if len(distractors) < OPTIONS_PER_QUESTION - 1:  # departments with very few municipalities
        elsewhere = [
            label(item) for item in catalogs.load("municipalities").items if item["departmentCode"] != department
        ]
        distractors += _sample(seed, "municipality-elsewhere", elsewhere, OPTIONS_PER_QUESTION - 1 - len(distractors))
    return {"kind": "municipality", "options": [label(municipality), *distractors], "correct": 0}
