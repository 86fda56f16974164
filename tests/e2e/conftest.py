"""Starts the local runtime once per session (a subprocess on free ports) for the tests over HTTP.

Synthesizes the template first if cdk.out/SatCcf-dev.template.json does not exist (set
LOCAL_E2E_SYNTH=1 to always synthesize). The runtime's output is kept in <workdir>/runtime.log.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.testing import free_port

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "cdk.out" / "SatCcf-dev.template.json"
READY_TIMEOUT = 120  # a loaded 2-core machine (parallel workers) can take far longer than the usual 3 s


@pytest.fixture(scope="session")
def local_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if os.environ.get("LOCAL_E2E_SYNTH") == "1" or not TEMPLATE.exists():
        subprocess.run([sys.executable, "infra/app.py"], cwd=REPO, check=True)
    workdir = tmp_path_factory.mktemp("local-runtime")
    log_path = workdir / "runtime.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["LOCAL_MINISTRY_PASSWORD"] = "Clave-Ministerio-E2E-2026"
    command = [
        sys.executable,
        "-m",
        "local",
        "--moto-port",
        str(free_port()),
        "--api-port",
        str(free_port()),
        "--workdir",
        str(workdir),
        "--sqs-backoff",
        "0",
        "--template",
        str(TEMPLATE),
    ]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    ready = workdir / "ready.json"
    deadline = time.time() + READY_TIMEOUT
    try:
        while not ready.exists():
            if proc.poll() is not None or time.time() > deadline:
                pytest.fail(f"local runtime did not start (exit {proc.poll()}):\n{log_path.read_text()[-4000:]}")
            time.sleep(0.1)
        info = json.loads(ready.read_text())
        info["log_path"] = log_path
        info["workdir"] = workdir
        yield info
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
