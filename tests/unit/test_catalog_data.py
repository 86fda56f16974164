"""The reference catalogs shipped in sat_common/catalogs/data: counts, integrity, sources, document-number rules."""

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "layers/common/python/sat_common/catalogs/data"
ALL_CATALOGS = (
    "document-types",
    "departments",
    "municipalities",
    "zones",
    "ciiu",
    "arl",
    "pila-operators",
    "contributor-types",
    "company-types",
    "eps",
    "pension-funds",
)
MACHINE_DERIVED = ("departments", "municipalities", "ciiu")


def load(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def codes(name: str) -> list[str]:
    return [item["code"] for item in load(name)["items"]]


def test_every_data_file_is_a_known_catalog():
    assert sorted(p.stem for p in DATA_DIR.glob("*.json")) == sorted(ALL_CATALOGS)


@pytest.mark.parametrize("name", ALL_CATALOGS)
def test_catalog_shape_and_source(name):
    doc = load(name)
    assert doc["catalog"] == name
    assert isinstance(doc["source"], str) and len(doc["source"]) > 40
    assert doc["items"]
    for item in doc["items"]:
        assert isinstance(item["code"], str) and item["code"]
        assert isinstance(item["name"], str) and item["name"].strip() == item["name"] and item["name"]
    assert len(set(codes(name))) == len(doc["items"]), "codes must be unique"


@pytest.mark.parametrize("name", ALL_CATALOGS)
def test_source_says_how_the_file_is_maintained(name):
    source = load(name)["source"]
    if name in MACHINE_DERIVED:
        assert "scripts/generate_catalogs.py" in source
    else:
        assert source.startswith("Hand-curated")


def test_departments():
    items = load("departments")["items"]
    assert len(items) == 33  # 32 departamentos + Bogotá, D.C.
    assert all(re.fullmatch(r"\d{2}", item["code"]) for item in items)
    assert {"11", "05", "88", "99"} <= {item["code"] for item in items}


def test_municipalities():
    items = load("municipalities")["items"]
    departments = set(codes("departments"))
    assert len(items) == 1121
    for item in items:
        assert re.fullmatch(r"\d{5}", item["code"])
        assert item["departmentCode"] in departments
        assert item["code"][:2] == item["departmentCode"]
    kinds = Counter(item["type"] for item in items)
    assert dict(kinds) == {"MUNICIPIO": 1102, "AREA_NO_MUNICIPALIZADA": 18, "DISTRITO_CAPITAL": 1}
    # every department has at least one municipality
    assert {item["departmentCode"] for item in items} == departments


def test_municipalities_lookup_helpers():
    from sat_common import catalogs

    assert catalogs.is_divipola_pair("05", "05001")
    assert not catalogs.is_divipola_pair("11", "05001")
    assert len(catalogs.municipalities_of("11")) == 1


def test_ciiu():
    items = load("ciiu")["items"]
    assert len(items) == 504  # 500 classes + 4 DIAN codes for persons without economic activity
    assert all(re.fullmatch(r"\d{4}", item["code"]) for item in items)
    assert {item["code"] for item in items if item.get("dianSpecial")} == {"0010", "0081", "0082", "0090"}
    names = {item["code"]: item["name"] for item in items}
    assert names["0123"] == "Cultivo de café"
    assert "División" not in " ".join(names.values())


def test_zones():
    assert codes("zones") == ["URBANA", "RURAL"]


def test_document_types():
    items = {item["code"]: item for item in load("document-types")["items"]}
    assert set(items) == {"CC", "CE", "TI", "RC", "PA", "CD", "SC", "PE", "PT", "NI"}
    assert {code for code, item in items.items() if item["appliesTo"] == "company"} == {"NI"}
    assert all(item["appliesTo"] in {"person", "company"} for item in items.values())
    for item in items.values():
        re.compile(item["pattern"])
        assert item["rule"] and item["ruleSource"]


ACCEPT = {
    "CC": ["123", "79123456", "1020304050"],
    "CE": ["1", "123456", "1234567"],
    "TI": ["1020304050", "95010112345"],
    "RC": ["1020304050", "A1B2C3D4"],
    "PA": ["AB1234567", "123456789012"],
    "CD": ["CD123", "123"],
    "SC": ["SC123456"],
    "PE": ["123456789012345"],
    "PT": ["1234567", "PT1234567"],
    "NI": ["900123456", "860007336"],
}
REJECT = {
    "CC": ["12", "0123456", "12345678901", "12.345.678", "1020-304050", "abc123", ""],
    "CE": ["12345678", "0123", "E12345", ""],
    "TI": ["123456789", "123456789012", "10203040AB"],
    "RC": ["123", "123456789012", "a1b2c3d4"],
    "PA": ["AB12", "AB-123456", "ab123456", "12345678901234567"],
    "CD": ["12", "C D123"],
    "SC": ["1234", "SC 12345"],
    "PE": ["12345", "1234567890123456"],
    "PT": ["1234", "1234567890123456"],
    "NI": ["90012345", "9001234567", "900123456-1"],
}


@pytest.mark.parametrize("code", sorted(ACCEPT))
def test_document_number_patterns(code):
    pattern = re.compile(next(item["pattern"] for item in load("document-types")["items"] if item["code"] == code))
    for number in ACCEPT[code]:
        assert pattern.fullmatch(number), (code, number)
    for number in REJECT[code]:
        assert not pattern.fullmatch(number), (code, number)


def test_curated_reference_codes():
    assert set(codes("contributor-types")) >= {"1", "2"}
    assert "CCF" in codes("company-types")
    assert {"Colpensiones", "Porvenir", "Protección", "Colfondos", "Skandia"} <= {
        item["name"] for item in load("pension-funds")["items"]
    }
    assert "14-23" in codes("arl")  # Positiva
    assert len(codes("pila-operators")) >= 5


def test_public_catalogs_exist():
    from sat_common import catalogs

    for name in catalogs.PUBLIC_CATALOGS:
        assert catalogs.load(name).items


def test_machine_derived_catalogs_are_up_to_date():
    pytest.importorskip("dian_utils", reason="dian-utils==1.0.1 is only needed to regenerate the CIIU catalog")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/generate_catalogs.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
