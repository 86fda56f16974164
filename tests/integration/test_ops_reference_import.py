"""`python -m ops reference import` on moto (decision 0070): a few thousand synthetic people and companies are
written with exactly the items the functions read, bad rows are reported by line and skipped, a second run
leaves the same table, and the identity questions' populations are counted over the whole table. The
100,000-row figure is in docs/benchmarks.md (make bench-import)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

from ops.errors import INCOMPLETE, OK, USAGE
from ops.target import Target
from scripts.synthetic_reference import write_extract
from tests.integration.conftest import create_table

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "local" / "seed" / "reference-data.json"


@pytest.fixture
def ops(moto, monkeypatch):
    from ops import cli

    create_table("reference")
    target = Target("SatCcf-test", "us-east-1", {"ReferenceTableName": "reference"}, _session=boto3.Session())
    monkeypatch.setattr(cli, "resolve_target", lambda args: target)
    return lambda *argv: cli.main(["--stage", "test", "--quiet", *argv])


def table_items() -> dict[tuple[str, str], dict]:
    deserializer, found = TypeDeserializer(), {}
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName="reference"):
        for raw in page["Items"]:
            item = {key: deserializer.deserialize(value) for key, value in raw.items()}
            found[(item["PK"], item["SK"])] = item
    return found


def test_synthetic_extract_is_written_whole_and_a_second_run_changes_nothing(ops, tmp_path, capsys):
    people_csv, companies_csv = write_extract(tmp_path, 3000, 30)
    assert ops("reference", "import", str(people_csv), str(companies_csv), "--json") == OK
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (report["rows"], report["people"], report["companies"], report["rejected"]) == (3030, 3000, 30, 0)
    assert report["items_written"] == 3030 and report["requests"] == 3030 // 25 + 1 + 1  # + the populations
    assert report["populations_written"] == 5 and report["population_people"] == 3000
    assert report["write_units"] >= 3035  # at least one unit per item
    first = table_items()
    assert len(first) == 3000 + 30 + 5
    employer = first[("POPULATION#employer", "PROFILE")]["data"]
    assert sum(employer["counts"].values()) + employer["none"] == 3000 and 0 < len(employer["labels"]) <= 30

    assert ops("reference", "import", str(people_csv), str(companies_csv)) == OK
    assert table_items() == first


def test_populations_kept_or_counted_over_the_table(ops, tmp_path):
    people_csv, companies_csv = write_extract(tmp_path, 300, 5)
    assert ops("reference", "import", str(people_csv), str(companies_csv)) == OK
    before = table_items()[("POPULATION#eps", "PROFILE")]
    correction = tmp_path / "correction.csv"
    correction.write_text("\n".join(people_csv.read_text(encoding="utf-8").splitlines()[:3]) + "\n", encoding="utf-8")
    assert ops("reference", "import", str(correction), "--keep-populations") == OK
    assert table_items()[("POPULATION#eps", "PROFILE")] == before  # not counted over the 2 corrected people
    assert ops("reference", "import", str(correction), "--populations-from-table") == OK
    assert table_items()[("POPULATION#eps", "PROFILE")] == before  # counted over the table's 300: the same


def test_items_are_those_of_items_from_seed(ops):
    """The seed document (JSON format) imports without a rejected row, as the same items the local runtime's
    seed loader writes through sat_common.reference.seed.items_from_seed."""
    from sat_common.reference.seed import items_from_seed

    assert ops("reference", "import", str(SEED)) == OK
    expected = {(i["PK"], i["SK"]): i for i in items_from_seed(json.loads(SEED.read_text(encoding="utf-8")))}
    assert table_items() == expected


def test_bad_rows_are_reported_by_line_and_skipped(ops, tmp_path, capsys):
    people_csv, _ = write_extract(tmp_path, 5, 0)
    lines = people_csv.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    bad = [
        rows[0],  # line 2: good
        rows[1].replace("CC,1000000001", "CC,0123"),  # line 3: document number format
        rows[2].replace("EPS", "XPS", 1),  # line 4: not an EPS of the catalog
        '"CC","1000000009","Ana\n3","","Ruiz","","1990-01-01","2010-01-01","a@example.com","EPS001","","",'
        '"2001","11001"',  # lines 5-6: one record over two lines (a quoted line break), a digit in the name
        rows[3] + ",extra",  # line 7: one cell too many
        rows[4].replace(rows[4].split(",")[6], "2999-01-01", 1),  # line 8: born in the future
    ]
    people_csv.write_text("\n".join([header, *bad]) + "\n", encoding="utf-8")
    assert ops("reference", "import", str(people_csv)) == INCOMPLETE
    out = capsys.readouterr().out
    assert "rejected line 3: documentNumber (document_number_format)" in out
    assert "rejected line 4: facts.eps (not_in_catalog)" in out
    assert "rejected line 5: firstName (name_format)" in out
    assert "rejected line 7: row (15 cells, the header has 14)" in out
    assert "rejected line 8:" in out and "birth_date_future" in out
    assert "rejected:       5" in out and "valid:          1 people" in out
    assert "0123" not in out and "XPS" not in out  # places and fields, never the values
    assert [k for k in table_items() if k[0].startswith("PERSON#")] == [("PERSON#CC#1000000000", "PROFILE")]


def test_companies_need_the_right_check_digit_and_jsonl_rows_their_kind(ops, tmp_path, capsys):
    rows = [
        {"kind": "company", **_company("900123456", "8")},  # good DV
        {"kind": "company", **_company("900123457", "0")},  # wrong DV
        {"kind": "robot", "nit": "1"},
        "not json",
    ]
    extract = tmp_path / "extract.jsonl"
    extract.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert ops("reference", "import", str(extract)) == INCOMPLETE
    out = capsys.readouterr().out
    assert "rejected line 2: row (nit_check_digit)" in out
    assert "rejected line 3: kind ('robot' is neither person nor company)" in out
    assert "rejected line 4: row (not valid JSON)" in out
    assert ("COMPANY#900123456", "PROFILE") in table_items()


def test_dry_run_and_populations_only(ops, tmp_path):
    people_csv, _ = write_extract(tmp_path, 200, 0)
    assert ops("--dry-run", "reference", "import", str(people_csv)) == OK
    assert table_items() == {}
    assert ops("reference", "import", str(people_csv), "--populations-only") == OK
    assert sorted(pk for pk, _ in table_items()) == [
        f"POPULATION#{kind}" for kind in sorted(("eps", "pensionFund", "employer", "affiliationYear", "municipality"))
    ]


def test_unreadable_input_is_a_usage_error(ops, tmp_path, capsys):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("nombre,cedula\nAna,1\n", encoding="utf-8")
    assert ops("reference", "import", str(wrong)) == USAGE
    assert "header" in capsys.readouterr().err
    assert ops("reference", "import", str(tmp_path / "missing.csv")) == USAGE


def _company(nit: str, dv: str) -> dict:
    return {
        "nit": nit,
        "dv": dv,
        "businessName": "Empresa de Prueba S.A.S.",
        "companyType": "SAS",
        "contributorType": "1",
        "status": "ACTIVA",
        "municipalityCode": "11001",
        "legalRepresentative": {"documentType": "CC", "documentNumber": "52345678"},
    }
