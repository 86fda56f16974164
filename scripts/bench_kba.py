"""How well the identity questions (manual §5 Paso 3) resist guessing: `make bench-kba`, figures in
docs/benchmarks.md (decision 0026). Figures, never assertions; no AWS, no runtime: pure computation.

The attacker knows a person's basic data (names, document, birth and expedition dates: enough to start a
registration) and public priors, nothing else:

- the most frequent answer to each question in the reference data (EPS, pension fund, employer, "no
  employer", affiliation year, municipality), counted over the seed's people;
- department capitals (DIVIPOLA code XXX001) as the likeliest municipality, three times the frequency prior;
- the public business registry (every company of the reference source): an employer option that is a real
  company is twenty times likelier than one that is not, and one whose words fit none of the other options
  ("does not fit the pattern") likelier still;
- the affiliation year can only be from the year the person turned 18 (a minor: their birth year) to the
  last year of the data.

It always answers the option most likely under these priors, and on each further attempt the next likeliest
combination of answers (the options of a person never change between sets). Each seed person is attacked
with `--trials` independent server seeds (the per-person random seed that draws the options), using the real
question generator (functions/registration/questions.py) and, for comparison, the generator before decision
0026 (scripts/kba_legacy_questions.py).

Per person: the probability of passing one attempt, within 1 day and within 30 days of attempts as the lock
rules allow them (RegistrationSettings defaults: sets before a lock, the 24 h lock, the long lock).

The frequencies leave the victim out (in a registry of millions one person does not move them; in the
300-person seed, counting the victim would hand the attacker part of their answers): `--victim-in-priors`
counts them in.
"""

import argparse
import heapq
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "layers/common/python")]

from registration import option_sets, questions  # noqa: E402
from registration.config import RegistrationSettings  # noqa: E402
from sat_common import catalogs  # noqa: E402
from sat_common.reference import Company, Person, Population  # noqa: E402
from sat_common.reference.populations import ADULT_AGE, is_adult, populations  # noqa: E402
from scripts import kba_legacy_questions as legacy  # noqa: E402

SEED_FILE = ROOT / "local/seed/reference-data.json"
DAY = 86_400
NONE = questions.NONE_KEY
CAPITAL_BONUS = 3.0
REGISTRY_BONUS = 20.0
UNLIKELY = 1e-3  # the attacker's weight for "none of the above" where the data has no "no value"


@dataclass(frozen=True)
class LockRules:
    sets_before_lock: int
    first_lock: int  # seconds
    long_lock: int
    memory: int  # how long failures are remembered (from the first one)

    @classmethod
    def current(cls) -> "LockRules":
        fields = RegistrationSettings.model_fields
        return cls(
            sets_before_lock=int(fields["identity_max_attempts"].default),
            first_lock=int(fields["identity_lock_hours"].default) * 3600,
            long_lock=int(fields["identity_long_lock_days"].default) * DAY,
            memory=int(fields["identity_failure_memory_days"].default) * DAY,
        )

    def attempts_within(self, seconds: int) -> int:
        """How many sets an attacker can answer in `seconds` from the first one, answering as fast as the
        locks allow (every set answered at once; a lock counts from the failure that caused it)."""
        now, failures, window_end, attempts = 0, 0, 0, 0
        while now < seconds:
            if failures == 0 or now >= window_end:
                failures, window_end = 0, now + self.memory
            attempts += 1
            failures += 1
            if failures % self.sets_before_lock == 0:
                now += self.first_lock if failures == self.sets_before_lock else self.long_lock
                window_end = max(window_end, now)
        return attempts


LEGACY_RULES = LockRules(sets_before_lock=3, first_lock=DAY, long_lock=DAY, memory=DAY)


# --- the attacker's public priors ----------------------------------------------------------------------


@dataclass
class Priors:
    counts: dict[str, Counter[str]]
    none_share: dict[str, float]
    registry: frozenset[str]
    capitals: frozenset[str]
    last_year: int
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


def municipality_label(code: str) -> str:
    item = catalogs.load("municipalities").find(code)
    assert item is not None
    department = catalogs.load("departments").find(item["departmentCode"])
    return f"{item['name']} ({department['name'] if department else item['departmentCode']})"


def public_priors(people: Sequence[Person], companies: dict[str, Company], day: date) -> Priors:
    names = {"eps": "eps", "pensionFund": "pension-funds"}
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in questions.TEXTS}
    none: Counter[str] = Counter()
    adults = 0
    for person in people:
        facts = person.facts
        eps = catalogs.load(names["eps"]).find(facts.eps)
        counts["eps"][eps["name"] if eps else facts.eps] += 1
        counts["affiliationYear"][str(facts.affiliationYear)] += 1
        counts["municipality"][municipality_label(facts.municipalityCode)] += 1
        if not is_adult(person.birthDate, day):
            continue
        adults += 1
        fund = catalogs.load(names["pensionFund"]).find(facts.pensionFund or "")
        if fund:
            counts["pensionFund"][fund["name"]] += 1
        else:
            none["pensionFund"] += 1
        if facts.employerNit and facts.employerNit in companies:
            counts["employer"][companies[facts.employerNit].businessName] += 1
        else:
            none["employer"] += 1
    capitals = frozenset(
        municipality_label(str(item["code"]))
        for item in catalogs.load("municipalities").items
        if str(item["code"]).endswith("001")
    )
    _EMPLOYER_NAMES.update({nit: company.businessName for nit, company in companies.items()})
    return Priors(
        counts=counts,
        none_share={kind: none[kind] / max(1, adults) for kind in ("pensionFund", "employer")},
        registry=frozenset(company.businessName for company in companies.values()),
        capitals=capitals,
        last_year=max(person.facts.affiliationYear for person in people),
    )


class Attacker:
    def __init__(self, priors: Priors, leave_one_out: bool = True) -> None:
        self.priors = priors
        self.leave_one_out = leave_one_out
        self.totals = {kind: sum(counter.values()) or 1 for kind, counter in priors.counts.items()}

    def scores(self, kind: str, options: Sequence[str], person: Person, day: date) -> list[float]:
        """The attacker's likelihood of each option (any scale); the highest is its answer."""
        return [self._score(kind, text, options, person, day) for text in options]

    def _score(self, kind: str, text: str, options: Sequence[str], person: Person, day: date) -> float:
        priors = self.priors
        if text == NONE:
            return max(priors.none_share.get(kind, 0.0), UNLIKELY / self.totals[kind])
        own = self.own_answers(person, day).get(kind, ()) if self.leave_one_out else ()
        count = priors.counts[kind][text] - (1 if text in own else 0)
        base = (count + 0.5) / self.totals[kind]
        if kind == "municipality" and text in priors.capitals:
            base *= CAPITAL_BONUS
        if kind == "affiliationYear":
            eligible = person.birthDate.year + (ADULT_AGE if is_adult(person.birthDate, day) else 0)
            if not text.isdigit() or not eligible <= int(text) <= priors.last_year:
                return 0.0
        if kind == "employer":
            if text in priors.registry:
                base *= REGISTRY_BONUS
            others = {word for option in options if option not in (text, NONE) for word in option.split()}
            base *= 1 + sum(1 for word in text.split() if word not in others)  # "does not fit the pattern"
        return base

    @staticmethod
    def own_answers(person: Person, day: date) -> dict[str, tuple[str, ...]]:
        """The victim's own answers, left out of the counts: in a registry of millions one person does not move
        the statistics; in the 300-person seed, counting the victim would hand the attacker their answers."""
        facts = person.facts
        eps = catalogs.load("eps").find(facts.eps)
        own: dict[str, tuple[str, ...]] = {
            "eps": (eps["name"] if eps else facts.eps,),
            "affiliationYear": (str(facts.affiliationYear),),
            "municipality": (municipality_label(facts.municipalityCode),),
        }
        if is_adult(person.birthDate, day):
            fund = catalogs.load("pension-funds").find(facts.pensionFund or "")
            own["pensionFund"] = (fund["name"],) if fund else ()
            own["employer"] = (_EMPLOYER_NAMES.get(facts.employerNit or "", ""),)
        return own


_EMPLOYER_NAMES: dict[str, str] = {}


def best_combinations(scores: Sequence[Sequence[float]], count: int) -> list[tuple[int, ...]]:
    """The `count` likeliest answer combinations (one option per question), best first."""
    order = [sorted(range(len(row)), key=lambda index: -row[index]) for row in scores]

    def weight(ranks: tuple[int, ...]) -> float:
        product = 1.0
        for row, column, rank in zip(scores, order, ranks, strict=True):
            product *= row[column[rank]]
        return product

    start = (0,) * len(scores)
    heap = [(-weight(start), start)]
    seen = {start}
    found: list[tuple[int, ...]] = []
    while heap and len(found) < count:
        _, ranks = heapq.heappop(heap)
        found.append(tuple(column[rank] for column, rank in zip(order, ranks, strict=True)))
        for position in range(len(ranks)):
            if ranks[position] + 1 < len(order[position]):
                following = (*ranks[:position], ranks[position] + 1, *ranks[position + 1 :])
                if following not in seen:
                    seen.add(following)
                    heapq.heappush(heap, (-weight(following), following))
    return found


# --- one person, one server seed ----------------------------------------------------------------------


def _jittered(scores: list[float], rng: random.Random) -> list[float]:
    # Ties are broken at random, never in favour of the right answer's place in the list.
    return [score * (1 + 1e-9 * rng.random()) for score in scores]


def attack_current(
    person: Person, attacker: Attacker, population_of: Callable[[str], Population | None], seed: str, day: date,
    options: int, attempts: int, rng: random.Random,
) -> tuple[int | None, dict[str, bool]]:  # fmt: skip
    """(the attempt that passes, counting from 0, or None) and whether the first answer to each question is right."""
    bank = questions.build_bank(person, population_of, seed, day, options)
    scores = [_jittered(attacker.scores(entry["kind"], entry["options"], person, day), rng) for entry in bank]
    truth = tuple(entry["correct"] for entry in bank)
    combos = best_combinations(scores, attempts)
    first = {entry["kind"]: combos[0][index] == entry["correct"] for index, entry in enumerate(bank)}
    return (combos.index(truth) if truth in combos else None), first


def attack_legacy(
    person: Person, attacker: Attacker, companies: dict[str, Company], seed: str, day: date, attempts: int,
    rng: random.Random,
) -> tuple[int | None, dict[str, bool]]:  # fmt: skip
    employer = companies.get(person.facts.employerNit or "")
    bank = legacy.build_bank(person, employer.businessName if employer else None, seed, day.year)
    scores = [_jittered(attacker.scores(entry["kind"], entry["options"], person, day), rng) for entry in bank]
    combos = best_combinations(scores, attempts)
    first = {entry["kind"]: combos[0][index] == entry["correct"] for index, entry in enumerate(bank)}
    for attempt, combo in enumerate(combos):
        asked = rng.sample(range(len(bank)), min(legacy.QUESTIONS_PER_SET, len(bank)))
        right = sum(1 for index in asked if combo[index] == bank[index]["correct"])
        if right >= legacy.MIN_CORRECT:
            return attempt, first
    return None, first


# --- the whole seed ---------------------------------------------------------------------------------


@dataclass
class Figures:
    per_attempt: float
    within_1_day: float
    within_30_days: float
    people_at_risk_30_days: int  # people whose probability within 30 days is at least 1 %
    worst_person_30_days: float
    attempts_1_day: int
    attempts_30_days: int
    first_answer_right: dict[str, float]
    by_group: dict[str, dict[str, float]]


def load_seed() -> tuple[list[Person], dict[str, Company]]:
    document = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    people = [Person.model_validate(raw) for raw in document["people"]]
    companies = {raw["nit"]: Company.model_validate(raw) for raw in document["companies"]}
    return people, companies


@cache
def _solve(items: tuple[tuple[str, float], ...], none_weight: float, options: int) -> option_sets.Design:
    return _SOLVE(dict(items), none_weight, options)


_SOLVE = option_sets.solve


def _memoized_solve(weights: Any, none_weight: float, options: int) -> option_sets.Design:
    return _solve(tuple(sorted(weights.items())), none_weight, options)


def simulate(
    people: Sequence[Person],
    companies: dict[str, Company],
    *,
    trials: int,
    day: date,
    generator: str = "current",
    options: int | None = None,
    rules: LockRules | None = None,
    leave_one_out: bool = True,
) -> Figures:
    """The attacker against every person of `people`, `trials` server seeds each (seeds fixed per run)."""
    options = options or int(RegistrationSettings.model_fields["identity_options"].default)
    rules = rules or (LockRules.current() if generator == "current" else LEGACY_RULES)
    one_day, thirty_days = rules.attempts_within(DAY), rules.attempts_within(30 * DAY)
    attacker = Attacker(public_priors(people, companies, day), leave_one_out)
    by_kind = {population.kind: population for population in populations(people, companies, day)}
    option_sets.solve = _memoized_solve  # type: ignore[assignment]  # the same designs again and again: memoized
    try:
        rows = []
        for person in people:
            rng = random.Random(f"{person.documentType}-{person.documentNumber}")  # a simulation, not a secret
            passed_at: list[int | None] = []
            firsts: list[dict[str, bool]] = []
            for trial in range(trials):
                seed = f"bench-{trial}-{rng.random()}"
                if generator == "current":
                    at, first = attack_current(person, attacker, by_kind.get, seed, day, options, thirty_days, rng)
                else:
                    at, first = attack_legacy(person, attacker, companies, seed, day, thirty_days, rng)
                passed_at.append(at)
                firsts.append(first)
            rows.append((person, passed_at, firsts))
    finally:
        option_sets.solve = _SOLVE

    def share(passed_at: list[int | None], attempts: int) -> float:
        return sum(1 for at in passed_at if at is not None and at < attempts) / len(passed_at)

    per_person = [(person, share(at, 1), share(at, one_day), share(at, thirty_days)) for person, at, _ in rows]
    kinds: dict[str, list[bool]] = {}
    for _, _, firsts in rows:
        for first in firsts:
            for kind, right in first.items():
                kinds.setdefault(kind, []).append(right)
    groups: dict[str, dict[str, float]] = {}
    for name, test in (
        ("adults", lambda p: is_adult(p.birthDate, day)),
        ("minors", lambda p: not is_adult(p.birthDate, day)),
    ):
        chosen = [row for row in per_person if test(row[0])]
        if chosen:
            groups[name] = {
                "people": len(chosen),
                "per_attempt": statistics.fmean(row[1] for row in chosen),
                "within_30_days": statistics.fmean(row[3] for row in chosen),
            }
    return Figures(
        per_attempt=statistics.fmean(row[1] for row in per_person),
        within_1_day=statistics.fmean(row[2] for row in per_person),
        within_30_days=statistics.fmean(row[3] for row in per_person),
        people_at_risk_30_days=sum(1 for row in per_person if row[3] >= 0.01),
        worst_person_30_days=max(row[3] for row in per_person),
        attempts_1_day=one_day,
        attempts_30_days=thirty_days,
        first_answer_right={kind: statistics.fmean(values) for kind, values in sorted(kinds.items())},
        by_group=groups,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200, help="server seeds per person (default 200)")
    parser.add_argument("--legacy-trials", type=int, default=40, help="server seeds per person, old generator")
    parser.add_argument("--on", type=date.fromisoformat, default=date(2026, 12, 1), help="the day of the attack")
    parser.add_argument("--options", type=int, default=None, help="options per question (default: the setting)")
    parser.add_argument(
        "--victim-in-priors", action="store_true", help="count each victim's own answers in the attacker's priors"
    )
    args = parser.parse_args()
    people, companies = load_seed()
    started, load = time.perf_counter(), os.getloadavg()[0]
    loo = not args.victim_in_priors
    current = simulate(people, companies, trials=args.trials, day=args.on, options=args.options, leave_one_out=loo)
    before = simulate(people, companies, trials=args.legacy_trials, day=args.on, generator="legacy", leave_one_out=loo)
    report = {
        "people": len(people),
        "trials_per_person": {"current": args.trials, "legacy": args.legacy_trials},
        "day": args.on.isoformat(),
        "victim_in_priors": args.victim_in_priors,
        "current": current.__dict__,
        "legacy": before.__dict__,
        "seconds": round(time.perf_counter() - started, 1),
        "load_average_1m_at_start": round(load, 2),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
