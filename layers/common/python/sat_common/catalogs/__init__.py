"""Reference catalogs shipped with the project (data/*.json, each naming its source)."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"

# Catalogs the public API serves. eps and pension-funds are internal (identity-question distractors).
PUBLIC_CATALOGS: tuple[str, ...] = (
    "document-types",
    "departments",
    "municipalities",
    "zones",
    "ciiu",
    "arl",
    "pila-operators",
    "contributor-types",
    "company-types",
)


@dataclass(frozen=True)
class Catalog:
    name: str
    source: str
    items: tuple[dict[str, Any], ...]

    def codes(self) -> frozenset[str]:
        return frozenset(item["code"] for item in self.items)

    def find(self, code: str) -> dict[str, Any] | None:
        return _index(self.name).get(code)


@cache
def load(name: str) -> Catalog:
    raw = json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return Catalog(name=name, source=raw["source"], items=tuple(raw["items"]))


@cache
def _index(name: str) -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in load(name).items}


def municipalities_of(department_code: str) -> tuple[dict[str, Any], ...]:
    return tuple(item for item in load("municipalities").items if item["departmentCode"] == department_code)


def is_divipola_pair(department_code: str, municipality_code: str) -> bool:
    municipality = load("municipalities").find(municipality_code)
    return municipality is not None and municipality["departmentCode"] == department_code
