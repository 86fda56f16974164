"""The runbook (docs/deploy.md) rehearsed on a fresh local runtime started without seed data: an empty
account, as after the first deploy.

Every fenced `bash` block of the runbook carries a mark on the line before it:
- `<!-- rehearsed -->`: run here with bash (`set -euo pipefail`), in order, with `$OPS` pointing at the local
  runtime (`python -m ops --local <workdir>`) and the other variables of "Set up your shell" given local values;
- `<!-- rehearsed: synth -->`: the `cdk deploy` command, synthesized (cdk-nag included) with exactly its `-c`
  values, as the CDK CLI would pass them (strings);
- `<!-- not rehearsed: <reason> -->`: needs a real AWS account.
`<!-- rehearsal: first-sign-in ... -->` is where the administrator acts: the test opens the e-mailed link, sets
the password, signs in, enables TOTP and lists /admin/services, over HTTP. The walk ends with `ops smoke`.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pyotp
import pytest

from local import journeys
from local.testing import RuntimeDidNotStart, running_runtime
from scripts.synthetic_reference import write_extract

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "docs" / "deploy.md"
TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"
BLOCK_TIMEOUT = 600  # one block on a loaded machine (the synth is the longest)
MARK = re.compile(r"^<!-- (rehearsed: synth|rehearsed|not rehearsed: .+|rehearsal: first-sign-in.*) -->$")
ADMIN = {
    "ADMIN_DOCUMENT": "CC-63173063",
    "ADMIN_EMAIL": "operador.ensayo@example.org",
    "ADMIN_FIRST_NAME": "Denis",
    "ADMIN_FIRST_SURNAME": "Pérez",
}
PASSWORD = "Ensayo del runbook con clave larga 2026"
BOUNCED = "rebote.ensayo@example.org"
REDRIVEN = "reenvio.ensayo@example.org"


@dataclass(frozen=True)
class Step:
    kind: str  # rehearsed | synth | skipped | first-sign-in
    line: int
    code: str = ""


def runbook_steps(text: str) -> list[Step]:
    """The runbook's marked steps in order; an unmarked bash block is an error."""
    steps: list[Step] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        mark = MARK.match(line)
        if mark and mark.group(1).startswith("rehearsal: first-sign-in"):
            steps.append(Step("first-sign-in", index + 1))
        if line.startswith("```bash"):
            previous = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            found = MARK.match(previous)
            if not found or found.group(1).startswith("rehearsal:"):
                raise AssertionError(f"docs/deploy.md line {index + 1}: a bash block without a rehearsal mark")
            end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
            code = "\n".join(lines[index + 1 : end])
            kind = found.group(1)
            steps.append(
                Step(
                    "synth" if kind == "rehearsed: synth" else "rehearsed" if kind == "rehearsed" else "skipped",
                    index + 1,
                    code,
                )
            )
            index = end
        index += 1
    return steps


def test_every_command_block_of_the_runbook_is_marked() -> None:
    steps = runbook_steps(RUNBOOK.read_text(encoding="utf-8"))
    kinds = [step.kind for step in steps]
    assert kinds.count("synth") == 1 and kinds.count("first-sign-in") == 1
    assert kinds.count("rehearsed") >= 5
    rehearsed = "\n".join(step.code for step in steps if step.kind == "rehearsed")
    for command in ("bootstrap", "reference import", "smoke", "dlq", "email unsuppress"):
        assert "$OPS" in rehearsed and command in rehearsed, command


# --------------------------------------------------------------------------- a fresh, empty local runtime
@pytest.fixture(scope="module")
def empty_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("LOCAL_E2E_SYNTH") == "1" or not TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    options = ("--no-seed", "--sqs-backoff", "0", "--timeout-factor", "10")
    try:
        with running_runtime(TEMPLATE, tmp_path_factory.mktemp("rehearsal-runtime"), *options) as info:
            yield info
    except RuntimeDidNotStart as error:
        pytest.fail(str(error))


def _moto(info: dict[str, Any], service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=info["moto_url"],
        region_name=info["region"],
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _prepare_day_two(info: dict[str, Any]) -> None:
    """What the day-2 blocks act on: an e-mail in the outbox's DLQ, and an address that bounced."""
    queues = info["queues"]
    dlq = next(url for url in queues.values() if url.endswith("-notifications-dlq") and "tramite" not in url)
    message = {
        "kind": "email",
        "id": "welcome-rehearsal-redrive",
        "template": "welcome",
        "to": REDRIVEN,
        "data": {"nombre": "Persona Ensayo", "enlace": "http://127.0.0.1:8000/asignar-contrasena?token=x"},
    }
    _moto(info, "sqs").send_message(QueueUrl=dlq, MessageBody=json.dumps(message))
    main = next(name for name in info["tables"].values() if name.endswith("-main"))
    _moto(info, "dynamodb").put_item(
        TableName=main,
        Item={"PK": {"S": f"EMAIL#{BOUNCED}"}, "SK": {"S": "SUPPRESSION"}, "status": {"S": "BOUNCED"}},
    )


def _run_block(code: str, env: dict[str, str], line: int) -> str:
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert done.returncode == 0, (
        f"docs/deploy.md block at line {line} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def _synth_deploy_command(code: str, outdir: Path, line: int) -> None:
    """`npx cdk deploy <stack> -c k=v ...` synthesized with the same context strings (the CLI's behaviour)."""
    tokens = shlex.split(code.replace("\\\n", " "))
    assert tokens[:3] == ["npx", "cdk", "deploy"], f"line {line}: expected the cdk deploy command"
    context: dict[str, str] = {}
    for flag, value in itertools.pairwise(tokens):
        if flag in ("-c", "--context"):
            key, _, text = value.partition("=")
            context[key] = text
    stack = tokens[3]
    assert stack == f"SatCcf-{context['stage']}", f"line {line}: the stack name must match the stage"
    script = (
        "import json, sys\nsys.path.insert(0, '.')\nfrom infra.app import build_app\n"
        f"build_app(outdir={str(outdir)!r}, context_overrides=json.loads(sys.argv[1])).synth()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(context)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT,
    )
    assert done.returncode == 0, f"the deploy command of line {line} does not synthesize:\n{done.stderr[-3000:]}"
    template = json.loads((outdir / f"{stack}.template.json").read_text())
    origins = [
        r["Properties"]["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::S3::Bucket" and "CorsConfiguration" in r["Properties"]
    ]
    assert origins == [json.loads(context["corsAllowedOrigins"])]  # the JSON list, not its text as an origin


def _first_sign_in(info: dict[str, Any]) -> dict[str, str]:
    """The administrator: the e-mailed link, a password, sign-in, TOTP enrolment, then /admin works."""
    mail = journeys.Mailbox(info["mailbox_url"]).wait_for(ADMIN["ADMIN_EMAIL"], "operator-invitation")
    token = journeys.link_token(mail)
    headers = {"User-Agent": "runbook-rehearsal"}
    with httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT, headers=headers) as api:
        body = {"token": token, "password": PASSWORD, "passwordConfirmation": PASSWORD}
        assert api.post("/password-setup", json=body).status_code == 204
        document_type, number = ADMIN["ADMIN_DOCUMENT"].split("-", 1)
        session = api.post(
            "/sessions", json={"documentType": document_type, "documentNumber": number, "password": PASSWORD}
        )
        assert session.status_code == 200, session.text
        bearer = {"Authorization": session.json()["idToken"]}
        refused = api.get("/admin/services", headers=bearer)
        assert refused.status_code == 403 and refused.json()["code"] == "MFA_REQUIRED"
        secret = api.post("/me/mfa/totp", headers=bearer).json()["secretCode"]
        assert api.put("/me/mfa/totp", headers=bearer, json={"code": pyotp.TOTP(secret).now()}).status_code == 204
        services = api.get("/admin/services", headers=bearer)
        assert services.status_code == 200, services.text
        assert sorted(s["serviceId"] for s in services.json()["items"]) == [
            "recepcion-traslado-caja",
            "respuesta-tramite-ccf",
            "solicitud-afiliacion",
        ]
    return bearer


def test_the_runbook_from_an_empty_account_to_a_passing_smoke_test(
    empty_runtime: dict[str, Any], tmp_path: Path
) -> None:
    info = empty_runtime
    steps = runbook_steps(RUNBOOK.read_text(encoding="utf-8"))
    extract = tmp_path / "extract"
    write_extract(extract, 1500, 20)
    _prepare_day_two(info)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "OPS": f"{sys.executable} -m ops --quiet --local {info['workdir']}",
        "EXTRACT": str(extract),
        "BOUNCED_ADDRESS": BOUNCED,
        **ADMIN,
    }
    outputs: list[str] = []
    bearer: dict[str, str] = {}
    for step in steps:
        if step.kind == "rehearsed":
            outputs.append(_run_block(step.code, env, step.line))
        elif step.kind == "synth":
            _synth_deploy_command(step.code, tmp_path / f"cdk.out.{step.line}", step.line)
        elif step.kind == "first-sign-in":
            bearer = _first_sign_in(info)
    text = "\n".join(outputs)
    assert "administrator CC-63173063: created in group ministerio" in text
    assert "rejected:       0" in text and "1500 people, 20 companies" in text
    assert "outbox: 1 message(s) moved back to their queue" in text
    assert "was BOUNCED; it is deliverable again" in text
    smoke = next(o for o in outputs if "smoke test of" in o)
    assert smoke.rstrip().endswith("10 ok, 0 warnings, 0 failed"), smoke
    journeys.Mailbox(info["mailbox_url"]).wait_for(REDRIVEN, "welcome")  # the redriven e-mail was sent
    _a_bounce_reaches_the_administrators_profile(info, bearer)


def _a_bounce_reaches_the_administrators_profile(info: dict[str, Any], bearer: dict[str, str]) -> None:
    """SES's bounce event on the events queue (what SNS delivers in AWS) -> the delivery function -> GET /me."""
    events = next(url for url in info["queues"].values() if url.endswith("-email-events"))
    event = {
        "eventType": "Bounce",
        "mail": {
            "timestamp": "2026-12-01T10:00:00.000Z",
            "messageId": "rehearsal",
            "destination": [ADMIN["ADMIN_EMAIL"]],
        },
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": ADMIN["ADMIN_EMAIL"]}],
            "timestamp": "2026-12-01T10:00:01.000Z",
            "feedbackId": "rehearsal-feedback",
        },
    }
    _moto(info, "sqs").send_message(QueueUrl=events, MessageBody=json.dumps(event))
    headers = {"User-Agent": "runbook-rehearsal", **bearer}
    deadline = time.monotonic() + journeys.PATIENCE
    with httpx.Client(base_url=info["api_url"], timeout=journeys.HTTP_TIMEOUT, headers=headers) as api:
        while (me := api.get("/me").json()).get("emailStatus") != "BOUNCED":
            assert time.monotonic() < deadline, f"GET /me never showed the bounce: {me}"
            time.sleep(0.5)
    assert me["emailStatusMessage"].startswith("Su correo rebotó: actualícelo")
