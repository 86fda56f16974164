"""Generate the synthetic reference sources (local/seed/reference-data.json).

The reference sources ("fuentes de referencia") answer: person (document type + number → names, dates, identity
facts) and company (NIT → business name, DV, legal representative, status, company type). Here they are seeded from
this synthetic, deterministic data set: no real personal data; e-mails only on example.com / example.org.

Deterministic: fixed seed, faker ``es_CO`` seeded with it, fixed reference date, no clock. Running it twice gives
byte-identical output (given the pinned faker==40.63.0). ``--out PATH`` writes elsewhere; ``--check`` exits 1 when the
committed file is stale. See docs/seed.md.
"""

import argparse
import json
import random
import sys
import unicodedata
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "local/seed/reference-data.json"
CATALOGS = ROOT / "layers/common/python/sat_common/catalogs/data"

SEED = 20210331  # MN82 v2.0 is dated March 2021
FAKER_VERSION = "40.63.0"
# All ages are computed at this date, never at "today", so that output does not depend on when it runs.
# Minors are born so that they stay minors until at least 2029.
REFERENCE_DATE = date(2025, 1, 1)

PEOPLE_BY_TYPE = (("CC", 278), ("CE", 8), ("TI", 6), ("PA", 5), ("PT", 3))  # 300 people
COMPANIES = 40
CCFS = 6
# The Ministry's operator groups besides the administrator `ministerio` (sat_common.operator_groups): the seed has
# one operator of each, after the administrator.
OPERATOR_GROUPS = ("ministerio-revisor", "ministerio-catalogo", "ministerio-intercambio", "ministerio-auditor")
CCF_NAMES = (  # synthetic names, deliberately not those of real cajas
    "Caja de Compensación Familiar Ejemplo Andina",
    "Caja de Compensación Familiar Demostración del Caribe",
    "Caja de Compensación Familiar Ficticia del Llano",
    "Caja de Compensación Familiar Prueba del Pacífico",
    "Caja de Compensación Familiar Ensayo de los Santanderes",
    "Caja de Compensación Familiar Simulada del Eje Cafetero",
)
CCF_MUNICIPALITIES = ("11001", "08001", "50001", "76001", "68001", "66001")
BUSINESS_PREFIXES = (
    "Inversiones",
    "Distribuciones",
    "Comercializadora",
    "Constructora",
    "Servicios Integrales",
    "Transportes",
    "Industrias",
    "Agroindustrial",
    "Soluciones",
    "Consultores",
    "Laboratorios",
    "Confecciones",
    "Logística",
    "Alimentos",
    "Tecnología",
)
COMPANY_TYPES_WEIGHTED = (("SAS", 70), ("SA", 12), ("LTDA", 10), ("EU", 4), ("COOP", 4))
BIG_CITIES = ("11001", "05001", "76001", "08001", "13001", "68001", "54001", "66001", "17001", "73001", "50001")


def _catalog_codes(name: str) -> list[str]:
    raw = json.loads((CATALOGS / f"{name}.json").read_text(encoding="utf-8"))
    return [item["code"] for item in raw["items"]]


def _catalog_items(name: str) -> dict[str, dict[str, Any]]:
    raw = json.loads((CATALOGS / f"{name}.json").read_text(encoding="utf-8"))
    return {item["code"]: item for item in raw["items"]}


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later; 29 February becomes 1 March in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def age_at(birth: date, at: date) -> int:
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


def nit_check_digit(nit: str) -> str:
    from stdnum.co import nit as stdnum_nit

    return stdnum_nit.calc_check_digit(nit)


class Generator:
    def __init__(self, seed: int) -> None:
        from faker import Faker

        self.seed = seed
        self.rng = random.Random(seed)
        self.fake = Faker("es_CO")
        self.fake.seed_instance(seed)
        self.municipalities = _catalog_codes("municipalities")
        self.eps = _catalog_codes("eps")
        self.pension_funds = _catalog_codes("pension-funds")
        self.company_types = _catalog_items("company-types")
        self.contributor_types = _catalog_codes("contributor-types")
        self.used_numbers: set[str] = set()
        self.used_emails: set[str] = set()

    # ---------------------------------------------------------------- helpers
    def _date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _municipality(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(BIG_CITIES)
        return self.rng.choice(self.municipalities)

    def _unique_number(self, make) -> str:
        while True:
            number = make()
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _email(self, first: str, surname: str, domain: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(surname)}"
        candidate, n = f"{base}@{domain}", 1
        while candidate in self.used_emails:
            n += 1
            candidate = f"{base}{n}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def _names(self) -> dict[str, Any]:
        female = self.rng.random() < 0.5
        first_name = self.fake.first_name_female if female else self.fake.first_name_male
        first = first_name()
        middle = None
        if self.rng.random() < 0.55:
            middle = first_name()
            while middle == first:
                middle = first_name()
        first_surname = self.fake.last_name()
        second_surname = self.fake.last_name() if self.rng.random() < 0.9 else None
        return {
            "firstName": first,
            "middleName": middle,
            "firstSurname": first_surname,
            "secondSurname": second_surname,
        }

    def _document_number(self, doc_type: str, birth: date) -> str:
        rng = self.rng
        if doc_type == "CC":
            if birth.year >= 1990:  # NUIP-era cédulas: 10 digits starting with 10
                return self._unique_number(lambda: str(rng.randint(1_000_000_000, 1_099_999_999)))
            if birth.year >= 1955:
                return self._unique_number(lambda: str(rng.randint(10_000_000, 99_999_999)))
            return self._unique_number(lambda: str(rng.randint(100_000, 9_999_999)))
        if doc_type == "TI":
            return self._unique_number(lambda: str(rng.randint(1_000_000_000, 1_199_999_999)))
        if doc_type == "CE":
            return self._unique_number(lambda: str(rng.randint(100_000, 9_999_999)))
        if doc_type == "PA":
            letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
            return self._unique_number(
                lambda: "".join(rng.choice(letters) for _ in range(2)) + str(rng.randint(1_000_000, 9_999_999))
            )
        if doc_type == "PT":
            return self._unique_number(lambda: str(rng.randint(1_000_000, 9_999_999)))
        raise ValueError(doc_type)

    def ministry_user(self, group: str) -> dict[str, Any]:
        """A MinSalud operator of `group`: generated like a person, but kept out of `people`."""
        someone = self.person("CC")
        return {
            "documentType": "CC",
            "documentNumber": someone["documentNumber"],
            "firstName": someone["firstName"],
            "firstSurname": someone["firstSurname"],
            "email": self._email(someone["firstName"], someone["firstSurname"], "example.org"),
            "groups": [group],
        }

    # ---------------------------------------------------------------- people
    def person(self, doc_type: str) -> dict[str, Any]:
        rng = self.rng
        if doc_type == "TI":
            # minors aged 7..13 at REFERENCE_DATE: tarjeta from the 7th birthday
            birth = self._date_between(
                add_years(REFERENCE_DATE, -13), add_years(REFERENCE_DATE, -7) - timedelta(days=1)
            )
            expedition = self._date_between(add_years(birth, 7), min(add_years(birth, 8), REFERENCE_DATE))
        else:
            birth = self._date_between(add_years(REFERENCE_DATE, -75), add_years(REFERENCE_DATE, -19))
            adult_from = add_years(birth, 18)
            if doc_type == "CC":
                # usually issued shortly after the 18th birthday; sometimes re-issued (duplicado) later
                late = rng.random() < 0.2
                end = REFERENCE_DATE - timedelta(days=30) if late else min(add_years(adult_from, 1), REFERENCE_DATE)
                expedition = self._date_between(adult_from, end)
            elif doc_type == "PT":
                expedition = self._date_between(max(adult_from, date(2021, 6, 1)), date(2024, 6, 30))
            else:  # CE, PA: issued as adults, within the last ten years
                expedition = self._date_between(
                    max(adult_from, add_years(REFERENCE_DATE, -10)), REFERENCE_DATE - timedelta(days=30)
                )
        names = self._names()
        minor = age_at(birth, REFERENCE_DATE) < 18
        return {
            "documentType": doc_type,
            "documentNumber": self._document_number(doc_type, birth),
            **names,
            "birthDate": birth.isoformat(),
            "expeditionDate": expedition.isoformat(),
            "email": self._email(names["firstName"], names["firstSurname"], "example.com"),
            "facts": {
                "eps": rng.choice(self.eps),
                "pensionFund": None if minor else rng.choice(self.pension_funds),
                "employerNit": None,  # set once companies exist
                # minors: as beneficiaries from birth; adults: from the year they turned 18 (not before Ley 100)
                "affiliationYear": rng.randint(
                    max(birth.year if minor else birth.year + 18, 1995), REFERENCE_DATE.year - 1
                ),
                "municipalityCode": self._municipality(),
            },
        }

    # ---------------------------------------------------------------- companies
    def _nit(self, first_digit: str) -> str:
        return self._unique_number(lambda: first_digit + str(self.rng.randint(0, 99_999_999)).zfill(8))

    def company(self, index: int, legal_rep: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        is_ccf = index < CCFS
        if is_ccf:
            nit = self._nit("8")
            business_name = CCF_NAMES[index]
            company_type = "CCF"
            municipality = CCF_MUNICIPALITIES[index]
        else:
            nit = self._nit("9")
            types = [code for code, _ in COMPANY_TYPES_WEIGHTED]
            weights = [weight for _, weight in COMPANY_TYPES_WEIGHTED]
            company_type = rng.choices(types, weights=weights)[0]
            surnames = self.fake.last_name()
            if rng.random() < 0.5:
                surnames += f" {self.fake.last_name()}"
            suffix = self.company_types[company_type]["suffix"]
            prefix = rng.choice(BUSINESS_PREFIXES)
            business_name = (
                f"{suffix} {prefix} {surnames}" if company_type == "COOP" else f"{prefix} {surnames} {suffix}"
            )
            municipality = self._municipality()
        assert company_type in self.company_types
        return {
            "nit": nit,
            "dv": nit_check_digit(nit),
            "businessName": business_name,
            "companyType": company_type,
            "contributorType": "1",
            "status": "ACTIVA",
            "municipalityCode": municipality,
            "legalRepresentative": {
                "documentType": legal_rep["documentType"],
                "documentNumber": legal_rep["documentNumber"],
            },
            "isCcf": is_ccf,
        }

    # ---------------------------------------------------------------- all
    def build(self) -> dict[str, Any]:
        rng = self.rng
        people: list[dict[str, Any]] = []
        for doc_type, count in PEOPLE_BY_TYPE:
            people.extend(self.person(doc_type) for _ in range(count))

        ministry_user = self.ministry_user("ministerio")  # the administrator

        adults_cc = [p for p in people if p["documentType"] == "CC"]
        # legal representatives: COMPANIES distinct adults with CC, drawn at random
        reps = rng.sample(adults_cc, COMPANIES)
        companies = [self.company(i, reps[i]) for i in range(COMPANIES)]
        # inactive company for negative tests: the last one
        companies[-1]["status"] = "CANCELADA"

        employer_nits = [c["nit"] for c in companies if c["status"] == "ACTIVA"]
        for person in people:
            if person["facts"]["pensionFund"] is not None and rng.random() < 0.7:
                person["facts"]["employerNit"] = rng.choice(employer_nits)
        # a legal representative works for the company they represent
        by_number = {p["documentNumber"]: p for p in people}
        for company in companies:
            by_number[company["legalRepresentative"]["documentNumber"]]["facts"]["employerNit"] = company["nit"]

        scenarios = self._scenarios(people, companies, reps)
        # One operator per other group (decision 0090), drawn last so that nothing above changes.
        ministry_users = [ministry_user, *(self.ministry_user(group) for group in OPERATOR_GROUPS)]
        return {
            "generatedBy": "scripts/generate_seed.py",
            "seed": self.seed,
            "description": (
                "Synthetic reference sources (identity registry, RUT/business registry, affiliation facts) for local "
                "runs, tests and the demo. No real personal data: names from faker es_CO, numbers at random, e-mails "
                f"on example.com/example.org. Ages are as of {REFERENCE_DATE.isoformat()}. Scenarios name disjoint "
                "sets of people and companies; see docs/seed.md."
            ),
            "people": people,
            "companies": companies,
            "ministryUsers": ministry_users,
            "scenarios": scenarios,
        }

    def _scenarios(self, people, companies, reps) -> dict[str, Any]:
        def ref(p: dict[str, Any]) -> dict[str, str]:
            return {"documentType": p["documentType"], "documentNumber": p["documentNumber"]}

        rep_numbers = {r["documentNumber"] for r in reps}
        # people not representing any company, by document type, in generation order
        pool = {
            t: [p for p in people if p["documentType"] == t and p["documentNumber"] not in rep_numbers]
            for t, _ in PEOPLE_BY_TYPE
        }
        cc_pool = pool["CC"]

        def take_cc() -> dict[str, Any]:
            return cc_pool.pop(0)

        ccfs = [c for c in companies if c["isCcf"]]
        others = [c for c in companies if not c["isCcf"] and c["status"] == "ACTIVA"]
        inactive = [c for c in companies if c["status"] != "ACTIVA"]

        def rep_of(company: dict[str, Any]) -> dict[str, str]:
            return dict(company["legalRepresentative"])

        def full(ccf: dict[str, Any], mismatch: dict[str, Any], description: str) -> dict[str, Any]:
            return {
                "description": description,
                "citizen": ref(take_cc()),
                "ccfNit": ccf["nit"],
                "legalRepresentative": rep_of(ccf),
                "delegate": ref(take_cc()),
                "authorized": ref(take_cc()),
                "secondAuthorized": ref(take_cc()),
                "mismatchCompanyNit": mismatch["nit"],
                "mismatchLegalRepresentative": rep_of(mismatch),
                "mismatchBusinessName": f"{mismatch['businessName']} En Liquidación",
            }

        scenarios = {
            "demo": full(
                ccfs[0],
                others[0],
                "The guided demo for people trying the project by hand. Reserved: no automated test may use it.",
            ),
            "e2e": full(ccfs[1], others[1], "End-to-end tests over HTTP against the local runtime."),
            "integration": full(ccfs[2], others[2], "Integration tests on moto that need the whole CCF set-up."),
            "negative": {
                "description": "Negative paths: lockout after failed identity questions, minors, foreigners, "
                "an inactive company.",
                "lockout": ref(take_cc()),
                "wrongAnswers": ref(take_cc()),
                "minor": ref(pool["TI"].pop(0)),
                "foreigner": ref(pool["CE"].pop(0)),
                "passport": ref(pool["PA"].pop(0)),
                "temporaryProtection": ref(pool["PT"].pop(0)),
                "inactiveCompanyNit": inactive[0]["nit"],
                "inactiveCompanyLegalRepresentative": rep_of(inactive[0]),
            },
        }
        free_companies = ccfs[3:] + others[3:]
        scenarios["free"] = {
            "description": "Pool for tests that need unregistered people or companies not used elsewhere. People "
            "here represent no company; each free company's legal representative is reserved with it.",
            "people": [ref(p) for t, _ in PEOPLE_BY_TYPE for p in pool[t]],
            "companies": [
                {"nit": c["nit"], "legalRepresentative": rep_of(c), "isCcf": c["isCcf"]} for c in free_companies
            ],
        }
        return scenarios


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def generate(seed: int = SEED) -> str:
    found = metadata.version("faker")
    if found != FAKER_VERSION:
        sys.exit(f"faker=={found} is installed; the seed is pinned to faker=={FAKER_VERSION} (requirements/dev.txt)")
    return render(Generator(seed).build())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT, help=f"output path (default: {OUTPUT.relative_to(ROOT)})")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file at --out differs")
    args = parser.parse_args()
    text = generate()
    if args.check:
        if not args.out.exists() or args.out.read_text(encoding="utf-8") != text:
            print(f"stale: {args.out}", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    doc = json.loads(text)
    print(
        f"wrote {args.out}: {len(doc['people'])} people, {len(doc['companies'])} companies, "
        f"{len(doc['ministryUsers'])} ministry user(s), scenarios {', '.join(doc['scenarios'])}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
