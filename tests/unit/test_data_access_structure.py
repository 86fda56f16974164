"""The one data-access path (decision 0114): DynamoDB expressions only in repositories, keys only from
sat_common.keys, and docs/data-model.md naming exactly the keys sat_common.keys builds."""

import inspect
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import check_data_access  # noqa: E402

from sat_common import keys  # noqa: E402


def test_the_deployed_code_has_no_expression_outside_repositories_and_no_hand_typed_key():
    found = check_data_access.findings()
    assert not found, "\n".join(found[:40])


@pytest.mark.parametrize(
    ("module", "source", "what"),
    [
        ("logic.py", 'def f(t):\n    t.put(item, condition="attribute_not_exists(PK)")\n', "attribute_not_exists"),
        ("logic.py", 'def f(t):\n    t.update(k, "SET #s = :s")\n', "SET #s"),
        ("logic.py", "def f(t, x):\n    t.query(KeyConditionExpression=x)\n", "KeyConditionExpression"),
        ("logic.py", 'def f(nit):\n    return f"CCF#{nit}"\n', "key prefix CCF#"),
        ("repository.py", 'def f(nit):\n    return {"PK": f"EMPLOYER#{nit}"}\n', "key prefix EMPLOYER#"),
    ],
)
def test_the_check_finds_what_it_forbids(tmp_path, module, source, what):
    (tmp_path / module).write_text(source, encoding="utf-8")
    found = check_data_access.findings((tmp_path,))
    assert any(what in line for line in found), found


def test_a_repository_may_hold_expressions_but_builds_keys_with_sat_common_keys(tmp_path):
    (tmp_path / "repository.py").write_text(
        "from sat_common import keys\n\n"
        'def f(t, nit):\n    t.put({"PK": keys.ccf(nit)}, condition="attribute_not_exists(PK)")\n',
        encoding="utf-8",
    )
    assert check_data_access.findings((tmp_path,)) == []


def _built_prefixes() -> set[str]:
    """Every `<ENTITY>#` prefix sat_common.keys can produce (its constants and its builders' results)."""
    prefixes: set[str] = set()
    for name, value in vars(keys).items():
        if name.startswith("_"):
            continue
        if isinstance(value, str):
            candidates = [value]
        elif inspect.isfunction(value) and value.__module__ == keys.__name__:
            candidates = [value(*["X" for _ in inspect.signature(value).parameters])]
        else:
            continue
        prefixes.update(match.group(1) for text in candidates if (match := re.match(r"([A-Z][A-Z_]+)#", text)))
    return prefixes


def _documented_prefixes() -> set[str]:
    text = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`]+)`", text)
    return {prefix for span in spans for prefix in re.findall(r"(?:^|[=\s(,])([A-Z][A-Z_]+)#", span)}


def test_the_data_model_document_names_exactly_the_keys_the_code_builds():
    built, documented = _built_prefixes(), _documented_prefixes()
    assert documented - built == set(), f"documented but never built: {sorted(documented - built)}"
    assert built - documented == set(), f"built but not documented: {sorted(built - documented)}"
