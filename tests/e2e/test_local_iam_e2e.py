"""IAM enforcement in a running local runtime: one grant removed from the synthesized template denies exactly
the call that needs it, while the same call on the unmodified template (the session's runtime) is allowed.

The grant: `dynamodb:PutItem` on the main table, removed from the registration function's role. Starting
a registration first stores the person's question seed on that table (PutItem; then a transaction with
more Puts), so POST /registrations fails (a 5xx: the function's permission error) and the decision log
holds that one denial and no other.

Person: the free scenario's `people[-80]` is reserved for this test (only a registration start, never
completed).
"""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local import journeys
from local.testing import RuntimeDidNotStart, running_runtime

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"
PERSON = journeys.person(journeys.seed()["scenarios"]["free"]["people"][-80])
FUNCTION = "sat-ccf-dev-registration"
MAIN_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/sat-ccf-dev-main"
READY_TIMEOUT = 120


def without_grant(doc: dict[str, Any], policy_prefix: str, action: str, resource_hint: str) -> dict[str, Any]:
    """The template without `action` in the statement of that policy whose resources mention `resource_hint`."""
    doc = json.loads(json.dumps(doc))
    (policy,) = [r for lid, r in doc["Resources"].items() if lid.startswith(policy_prefix)]
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if action in actions and resource_hint in json.dumps(statement["Resource"]):
            statement["Action"] = [a for a in actions if a != action]
            return doc
    raise AssertionError(f"no statement of {policy_prefix} grants {action} on {resource_hint}")


def decisions(workdir: Path) -> list[dict[str, Any]]:
    path = workdir / "iam-decisions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


@pytest.fixture(scope="module")
def runtime_without_grant(tmp_path_factory: pytest.TempPathFactory, local_runtime: dict[str, Any]) -> Iterator[Path]:
    """A second runtime on a copy of cdk.out (same template file name: same physical names)."""
    out = tmp_path_factory.mktemp("cdk-out-without-grant")
    shutil.copy(TEMPLATE.parent / "manifest.json", out)
    for entry in TEMPLATE.parent.glob("asset.*"):
        built_by_pip = sorted((entry / "python").glob("*.dist-info")) if entry.is_dir() else []
        if built_by_pip:  # a third-party layer is skipped by the runtime: its marker is enough (71 MB less)
            (out / entry.name / "python" / built_by_pip[0].name).mkdir(parents=True)
        elif entry.is_dir():
            shutil.copytree(entry, out / entry.name)
        else:
            shutil.copy(entry, out)
    doc = without_grant(
        json.loads(TEMPLATE.read_text()), "FunctionsRegistrationRoleDefaultPolicy", "dynamodb:PutItem", "DataMainTable"
    )
    (out / TEMPLATE.name).write_text(json.dumps(doc))
    workdir = tmp_path_factory.mktemp("local-runtime-without-grant")
    options = ("--pool-size", "1", "--timeout-factor", "10", "--quiet")  # as the session's runtime, one worker
    try:
        with running_runtime(out / TEMPLATE.name, workdir, *options, env={"LOCAL_IAM": "on"}):
            yield workdir
    except RuntimeDidNotStart as error:
        pytest.fail(str(error))
    log_path = workdir / "runtime.log"
    assert "IAM: " in log_path.read_text()  # the summary printed at the end of the run


def test_removed_grant_denies_exactly_that_call(local_runtime: dict[str, Any], runtime_without_grant: Path) -> None:
    body = journeys.basic_data(PERSON)

    allowed = httpx.post(f"{local_runtime['api_url']}/registrations", json=body, timeout=60)
    assert allowed.status_code == 201, allowed.text
    expected = (FUNCTION, "dynamodb:PutItem", MAIN_TABLE, "allow")
    made = decisions(Path(local_runtime["workdir"]))
    assert any((d["function"], d["action"], d["resource"], d["decision"]) == expected for d in made)

    ready = json.loads((runtime_without_grant / "ready.json").read_text())
    refused = httpx.post(f"{ready['api_url']}/registrations", json=body, timeout=60)
    assert refused.status_code >= 500, refused.text  # how the area reports a permission error is its own
    made = decisions(runtime_without_grant)
    denied = {(d["function"], d["action"], d["resource"]) for d in made if d["decision"] == "deny"}
    assert denied == {(FUNCTION, "dynamodb:PutItem", MAIN_TABLE)}
    # The calls before it (reference table, main table query, Cognito) were checked and allowed.
    assert {d["action"] for d in made if d["function"] == FUNCTION and d["decision"] == "allow"} >= {
        "dynamodb:GetItem",
        "dynamodb:Query",
        "cognito-idp:AdminGetUser",
    }
