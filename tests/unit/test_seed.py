"""The synthetic reference sources in local/seed/reference-data.json (scripts/generate_seed.py)."""

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from stdnum.co import nit as stdnum_nit

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = ROOT / "local/seed/reference-data.json"
DATA_DIR = ROOT / "layers/common/python/sat_common/catalogs/data"
REFERENCE_DATE = date(2025, 1, 1)  # scripts/generate_seed.py REFERENCE_DATE


@pytest.fixture(scope="module")
def seed() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def catalog_codes(name: str) -> set[str]:
    return {item["code"] for item in json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))["items"]}


def key(ref: dict) -> tuple[str, str]:
    return ref["documentType"], ref["documentNumber"]


def adult_from(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        return date(birth.year + 18, 3, 1)


def age_at(birth: date, at: date) -> int:
    return at.year - birth.year - ((at.month, at.day) < (birth.month, birth.day))


def test_regenerating_yields_the_committed_file(tmp_path):
    out = tmp_path / "reference-data.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/generate_seed.py"), "--out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SEED_FILE.read_bytes(), "run scripts/generate_seed.py and commit the result"


def test_top_level_shape(seed):
    assert list(seed) == ["generatedBy", "seed", "description", "people", "companies", "ministryUsers", "scenarios"]
    assert seed["generatedBy"] == "scripts/generate_seed.py"
    assert isinstance(seed["seed"], int)
    assert 250 <= len(seed["people"]) <= 350
    assert 35 <= len(seed["companies"]) <= 45
    assert sum(c["isCcf"] for c in seed["companies"]) == 6
    # the administrator first, then one operator of each other group (decision 0090)
    assert [user["groups"] for user in seed["ministryUsers"]] == [
        ["ministerio"],
        ["ministerio-revisor"],
        ["ministerio-catalogo"],
        ["ministerio-intercambio"],
        ["ministerio-auditor"],
    ]


def test_people_shape_and_document_rules(seed):
    patterns = {
        item["code"]: re.compile(item["pattern"])
        for item in json.loads((DATA_DIR / "document-types.json").read_text(encoding="utf-8"))["items"]
    }
    keys = [key(p) for p in seed["people"]]
    assert len(set(keys)) == len(keys)
    numbers = [p["documentNumber"] for p in seed["people"]]
    assert len(set(numbers)) == len(numbers)
    types = {p["documentType"] for p in seed["people"]}
    assert {"CC", "CE", "TI", "PA"} <= types
    assert sum(p["documentType"] == "CC" for p in seed["people"]) > 0.8 * len(seed["people"])
    for person in seed["people"]:
        assert set(person) == {
            "documentType",
            "documentNumber",
            "firstName",
            "middleName",
            "firstSurname",
            "secondSurname",
            "birthDate",
            "expeditionDate",
            "email",
            "facts",
        }
        assert patterns[person["documentType"]].fullmatch(person["documentNumber"]), person
        assert person["firstName"] and person["firstSurname"]
        assert person["middleName"] is None or person["middleName"]
        assert person["secondSurname"] is None or person["secondSurname"]
        assert set(person["facts"]) == {"eps", "pensionFund", "employerNit", "affiliationYear", "municipalityCode"}


def test_dates_are_consistent(seed):
    for person in seed["people"]:
        birth = date.fromisoformat(person["birthDate"])
        expedition = date.fromisoformat(person["expeditionDate"])
        assert birth < expedition <= REFERENCE_DATE, person
        if person["documentType"] == "TI":
            assert age_at(birth, REFERENCE_DATE) < 18, person
            assert age_at(birth, expedition) >= 7, person
        else:
            assert age_at(birth, REFERENCE_DATE) >= 18, person
            assert expedition >= adult_from(birth), person
        assert birth.year <= person["facts"]["affiliationYear"] <= REFERENCE_DATE.year


def test_minors_stay_minors_for_a_while(seed):
    for person in seed["people"]:
        if person["documentType"] == "TI":
            assert adult_from(date.fromisoformat(person["birthDate"])) > date(2029, 1, 1)


def test_every_reference_resolves(seed):
    eps, funds, municipalities = catalog_codes("eps"), catalog_codes("pension-funds"), catalog_codes("municipalities")
    company_types, contributor_types = catalog_codes("company-types"), catalog_codes("contributor-types")
    people = {key(p): p for p in seed["people"]}
    nits = {c["nit"] for c in seed["companies"]}
    for person in seed["people"]:
        facts = person["facts"]
        assert facts["eps"] in eps
        minor = person["documentType"] == "TI"
        assert (facts["pensionFund"] is None) if minor else (facts["pensionFund"] in funds)
        assert facts["employerNit"] is None or facts["employerNit"] in nits
        assert facts["municipalityCode"] in municipalities
    assert sum(p["facts"]["employerNit"] is not None for p in seed["people"]) > len(seed["people"]) / 2
    for company in seed["companies"]:
        assert company["companyType"] in company_types
        assert company["contributorType"] in contributor_types
        assert company["municipalityCode"] in municipalities
        assert company["status"] in {"ACTIVA", "CANCELADA"}
        rep = people[key(company["legalRepresentative"])]
        assert rep["documentType"] == "CC"
        assert age_at(date.fromisoformat(rep["birthDate"]), REFERENCE_DATE) >= 18


def test_nits_and_check_digits(seed):
    nits = [c["nit"] for c in seed["companies"]]
    assert len(set(nits)) == len(nits)
    for company in seed["companies"]:
        assert re.fullmatch(r"\d{9}", company["nit"])
        assert re.fullmatch(r"\d", company["dv"])
        assert stdnum_nit.is_valid(company["nit"] + company["dv"])
        assert stdnum_nit.calc_check_digit(company["nit"]) == company["dv"]


def test_ccfs(seed):
    ccfs = [c for c in seed["companies"] if c["isCcf"]]
    assert all(c["businessName"].startswith("Caja de Compensación Familiar ") for c in ccfs)
    assert all(c["companyType"] == "CCF" and c["status"] == "ACTIVA" for c in ccfs)
    assert len({c["businessName"] for c in ccfs}) == len(ccfs)
    reps = [key(c["legalRepresentative"]) for c in seed["companies"]]
    assert len(set(reps)) == len(reps), "each company has its own legal representative"


def test_ministry_users_are_not_people(seed):
    people = {key(p) for p in seed["people"]}
    numbers = {p["documentNumber"] for p in seed["people"]}
    for user in seed["ministryUsers"]:
        assert set(user) == {"documentType", "documentNumber", "firstName", "firstSurname", "email", "groups"}
        assert key(user) not in people and user["documentNumber"] not in numbers
        assert user["email"].endswith("@example.org")


def test_emails_only_on_example_domains(seed):
    emails = [p["email"] for p in seed["people"]] + [u["email"] for u in seed["ministryUsers"]]
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert re.fullmatch(r"[a-z0-9.]+@example\.(com|org)", email), email
    text = SEED_FILE.read_text(encoding="utf-8")
    for found in re.findall(r"[\w.+-]+@[\w.-]+", text):
        assert found.split("@", 1)[1] in {"example.com", "example.org"}, found


def scenario_members(scenario: dict) -> tuple[set[tuple[str, str]], set[str]]:
    """People (as keys) and companies (as NITs) a scenario references, at any depth."""
    people, nits = set(), set()

    def walk(value, field=""):
        if isinstance(value, dict):
            if "documentType" in value and "documentNumber" in value:
                people.add(key(value))
            if "nit" in value:
                nits.add(value["nit"])
            for name, inner in value.items():
                walk(inner, name)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, field)
        elif isinstance(value, str) and field.endswith("Nit"):
            nits.add(value)

    walk(scenario)
    return people, nits


def test_scenarios_resolve_and_are_disjoint(seed):
    scenarios = seed["scenarios"]
    assert {"demo", "e2e", "free"} <= set(scenarios)
    people = {key(p) for p in seed["people"]}
    companies = {c["nit"]: c for c in seed["companies"]}
    seen_people: dict[tuple[str, str], str] = {}
    seen_nits: dict[str, str] = {}
    for name, scenario in scenarios.items():
        members, nits = scenario_members(scenario)
        assert members <= people, (name, members - people)
        assert nits <= set(companies), (name, nits - set(companies))
        # a company's legal representative belongs to the same scenario as the company
        for nit in nits:
            assert key(companies[nit]["legalRepresentative"]) in members, (name, nit)
        for member in members:
            assert member not in seen_people, f"{member} is in {seen_people[member]} and {name}"
            seen_people[member] = name
        for nit in nits:
            assert nit not in seen_nits, f"{nit} is in {seen_nits[nit]} and {name}"
            seen_nits[nit] = name


@pytest.mark.parametrize("name", ["demo", "e2e", "integration"])
def test_full_scenarios(seed, name):
    scenario = seed["scenarios"][name]
    companies = {c["nit"]: c for c in seed["companies"]}
    ccf = companies[scenario["ccfNit"]]
    assert ccf["isCcf"] and ccf["status"] == "ACTIVA"
    assert scenario["legalRepresentative"] == ccf["legalRepresentative"]
    mismatch = companies[scenario["mismatchCompanyNit"]]
    assert not mismatch["isCcf"]
    assert scenario["mismatchLegalRepresentative"] == mismatch["legalRepresentative"]
    assert scenario["mismatchBusinessName"] != mismatch["businessName"]
    roles = [scenario[r] for r in ("citizen", "legalRepresentative", "delegate", "authorized", "secondAuthorized")]
    assert len({key(r) for r in roles}) == len(roles)


def test_free_pool(seed):
    free = seed["scenarios"]["free"]
    reps = {key(c["legalRepresentative"]) for c in seed["companies"]}
    assert len(free["people"]) >= 100
    assert not {key(p) for p in free["people"]} & reps, "free people represent no company"
    assert any(c["isCcf"] for c in free["companies"])
