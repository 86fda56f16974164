"""Schemathesis over the local runtime's /openapi.json, one test per role: anonymous, a person, the Ministry,
an authorized person of a CCF and a CCF system's token.

`make test` runs it short (FUZZ_EXAMPLES unset: 1 example per operation and generation mode;
anonymous only on the operations without the Cognito scheme, the Ministry only on /admin); `make fuzz`
runs it full (FUZZ_EXAMPLES=100, every operation for every role, one runtime per role in parallel).
Each test fails on any 5xx, any answer outside the documented contract (status, content type, schema,
headers) and any other failed check. Figures are printed (-s or -rP) and written to
<workdir>/fuzz-<role>.txt; FUZZ_PROGRESS=<file> logs each operation.
"""

import os
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import fuzzing

from local import journeys

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
FULL = 100  # from this many examples on: every operation for every role
SEED = int(os.environ.get("FUZZ_SEED", "20260701"))
# A person of the seed's free pool no other test registers (the runtime is this directory's own anyway).
PERSON = journeys.person(
    next(ref for ref in journeys.seed()["scenarios"]["free"]["people"][100:] if ref["documentType"] == "CC")
)


@pytest.fixture(scope="session")
def roles(local_runtime: dict[str, Any]) -> dict[str, fuzzing.Role]:
    return fuzzing.roles_for(local_runtime, PERSON, "Clave-Fuzz-2026!", full=EXAMPLES >= FULL)


@pytest.mark.parametrize("role", ["anonymous", "person", "ministry", "authorized", "ccf_system"])
def test_schemathesis_finds_no_server_error_and_no_contract_violation(
    local_runtime: dict[str, Any], roles: dict[str, fuzzing.Role], role: str
) -> None:
    report = fuzzing.run(
        local_runtime["api_url"],
        [roles[role]],
        examples=EXAMPLES,
        fuzz_seed=SEED,
        progress=os.environ.get("FUZZ_PROGRESS"),
    )
    figures = report.figures()
    print(f"\n[{role}] " + figures)
    (Path(local_runtime["workdir"]) / f"fuzz-{role}.txt").write_text(figures + "\n", encoding="utf-8")
    assert report.operations, figures
    assert report.server_errors == 0, figures
    assert report.schema_violations == 0, figures
    assert report.other_failures == 0, figures
