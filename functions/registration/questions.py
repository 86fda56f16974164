"""Identity questions (manual §5 Paso 3) built from the person's reference facts (decision 0026).

A *bank* holds one question per fact the person has: EPS, affiliation year and municipality for everybody;
pension fund and employer for adults only (the birth date, part of the basic data, already tells a minor).
Each question shows `options - 1` values drawn from the population of true answers (how many people of the
reference source have each answer) plus "Ninguna de las anteriores", so that given the options every one of
them is the right answer with the same probability (option_sets.py): no option stands out as the one that
"does not fit" or as "the most common", and the set reveals nothing about the person beyond what the
population already says. The affiliation year's population is every year the person could have joined in
(from the year they turned 18, or their birth year for a minor, to the last year of the reference data).

Options are drawn once per person with a random seed stored server-side and the bank is kept on the person
(QUESTION_SEED item), so every set and every registration shows the same options for a fact: asking for new
sets or reloading the populations gives an attacker nothing to intersect. A fact whose value changes gets a
new draw. Each *set* asks every question of the bank, in a new order, with new ids and shuffled options;
passing needs every answer right.
"""

import hashlib
import random
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from registration import option_sets
from sat_common import catalogs
from sat_common.i18n import ENGLISH, SPANISH
from sat_common.reference import Person, Population
from sat_common.reference.populations import ADULT_AGE, is_adult

NONE_KEY = "NONE"
# Ley 100 de 1993 created the Sistema General de Seguridad Social; used only when no population is loaded.
FIRST_AFFILIATION_YEAR = 1994

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

PopulationOf = Callable[[str], Population | None]


def build_bank(
    person: Person,
    population_of: PopulationOf,
    seed: str,
    today: date,
    options: int,
    previous: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One entry per question: {"kind", "truth", "options": [text or NONE_KEY], "correct": index}.

    An entry of `previous` (the person's stored bank) is kept as it is while its fact and number of options
    are unchanged; only the others are drawn, reading their population through `population_of`.
    """
    kept = {entry["kind"]: entry for entry in previous}
    facts = person.facts
    adult = is_adult(person.birthDate, today)
    wanted: list[tuple[str, str | None]] = [("eps", facts.eps)]
    if adult:
        wanted += [("pensionFund", facts.pensionFund), ("employer", facts.employerNit)]
    wanted += [("affiliationYear", str(facts.affiliationYear)), ("municipality", facts.municipalityCode)]
    bank: list[dict[str, Any]] = []
    for kind, truth in wanted:
        entry = kept.get(kind)
        if not (entry and entry.get("truth") == truth and len(entry["options"]) == options):
            entry = _draw(kind, truth, person, population_of, seed, today, options)
        if entry is not None:
            bank.append(entry)
    return bank


def new_set(bank: list[dict[str, Any]]) -> dict[str, Any]:
    """A fresh question set: every question of the bank, in random order, with random option ids."""
    chooser = secrets.SystemRandom()
    set_id = secrets.token_hex(6)
    entries = chooser.sample(bank, len(bank))
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


# --- options ---------------------------------------------------------------------------------


def _rng(seed: str, kind: str) -> random.Random:
    # Not for secrecy: it makes the options repeatable; the seed itself is random and server-side.
    return random.Random(hashlib.sha256(f"{seed}:{kind}".encode()).digest())  # noqa: S311


def _draw(
    kind: str,
    truth: str | None,
    person: Person,
    population_of: PopulationOf,
    seed: str,
    today: date,
    options: int,
) -> dict[str, Any] | None:
    found = _population(kind, person, population_of, today)
    if found is None:
        return None
    weights, none_weight, labels = found
    design = option_sets.solve(weights, none_weight, options)
    if not design.values:
        return None
    shown, truth_shown = option_sets.draw(design, truth, _rng(seed, kind))
    texts = [labels.get(value, value) for value in shown]
    return {
        "kind": kind,
        "truth": truth,
        "options": [*texts, NONE_KEY],
        "correct": shown.index(truth) if truth_shown and truth is not None else len(texts),
    }


def _population(
    kind: str, person: Person, population_of: PopulationOf, today: date
) -> tuple[dict[str, float], float, dict[str, str]] | None:
    """(weight per value, weight of "no value", display text per value) of one question."""
    if kind == "affiliationYear":
        return _years(person, population_of(kind), today)
    population = population_of(kind)
    if kind == "employer":
        if population is None:  # no employer population loaded: the question is not asked
            return None
        # Only companies the population can name; an employer it cannot name counts as "none of the above".
        named = {nit: float(count) for nit, count in population.counts.items() if nit in population.labels}
        return named, float(population.none), dict(population.labels)
    catalog = {"eps": "eps", "pensionFund": "pension-funds", "municipality": "municipalities"}[kind]
    labels = {str(item["code"]): _label(kind, item) for item in catalogs.load(catalog).items}
    if population is None:  # no population loaded: every catalog value alike
        return dict.fromkeys(labels, 1.0), 0.0, labels
    counts = {value: float(count) for value, count in population.counts.items() if value in labels}
    return counts, float(population.none), labels


def _label(kind: str, item: dict[str, Any]) -> str:
    if kind != "municipality":
        return str(item["name"])
    department = catalogs.load("departments").find(item["departmentCode"])
    return f"{item['name']} ({department['name'] if department else item['departmentCode']})"


def _years(
    person: Person, population: Population | None, today: date
) -> tuple[dict[str, float], float, dict[str, str]]:
    """Every year the person could have joined in, alike: from the year they turned 18 (a minor: their birth
    year, as a beneficiary) to the last year the reference data holds."""
    years = [int(year) for year in (population.counts if population else {})]
    first = min(years, default=FIRST_AFFILIATION_YEAR)
    last = max(years, default=today.year)
    eligible = person.birthDate.year + (ADULT_AGE if is_adult(person.birthDate, today) else 0)
    span = range(max(first, eligible), last + 1)
    return {str(year): 1.0 for year in span}, 0.0, {}
