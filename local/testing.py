"""Helpers for tests of the local runtime: free ports, a throw-away moto server, a runtime in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local.moto_server import MotoServer

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server(host: str = "127.0.0.1") -> Iterator[str]:
    """A moto server on a free port; yields its endpoint URL. State lives until the block ends."""
    server = MotoServer(host, free_port(host))
    server.start()
    server.wait_until_up()
    try:
        yield server.url
    finally:
        server.stop()


READY_TIMEOUT = 180.0  # a loaded 2-core machine (parallel test workers) can take far longer than the usual 3 s


class RuntimeDidNotStart(RuntimeError):
    pass


@contextmanager
def running_runtime(
    template: Path, workdir: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """`python -m local` on free ports with `template`, as a subprocess; yields its ready.json (plus
    `log_path` and `workdir`). Its output is kept in <workdir>/runtime.log; `env` adds variables."""
    log_path = workdir / "runtime.log"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child_env.setdefault("LOCAL_MINISTRY_PASSWORD", "Clave-Ministerio-E2E-2026")
    child_env.update(env or {})
    command = [sys.executable, "-m", "local", "--moto-port", str(free_port()), "--api-port", str(free_port())]
    command += ["--portal-port", str(free_port())]
    command += ["--workdir", str(workdir), "--template", str(template), *options]
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    ready = workdir / "ready.json"
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeDidNotStart(
                    f"local runtime did not start within {READY_TIMEOUT:.0f} s (exit {proc.poll()}):\n"
                    f"{log_path.read_text()[-4000:]}"
                )
            time.sleep(0.1)
        info: dict[str, Any] = json.loads(ready.read_text())
        info["log_path"] = log_path
        info["workdir"] = workdir
        yield info
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
