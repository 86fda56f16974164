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


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


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
    `log_path` and `workdir`). Its output is kept in <workdir>/runtime.log; `env` adds variables.

    A free port can be taken by another process (an outgoing connection's ephemeral port, another test
    worker) between the check and the runtime's bind: a start that fails on a port in use is retried with
    new ports."""
    log_path = workdir / "runtime.log"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    child_env.setdefault("LOCAL_MINISTRY_PASSWORD", "Clave-Ministerio-E2E-2026")
    child_env.update(env or {})
    for attempt in range(1, PORT_ATTEMPTS + 1):
        command = [sys.executable, "-m", "local", "--moto-port", str(free_port()), "--api-port", str(free_port())]
        command += ["--portal-port", str(free_port())]
        command += ["--workdir", str(workdir), "--template", str(template), *options]
        with log_path.open("w") as log:
            proc = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            info = _wait_ready(proc, workdir, log_path)
        except _PortTaken:
            if attempt == PORT_ATTEMPTS:
                raise RuntimeDidNotStart(f"ports in use at every attempt:\n{log_path.read_text()[-4000:]}") from None
            continue
        except BaseException:
            _stop(proc)
            raise
        try:
            yield info
        finally:
            _stop(proc)
        return


PORT_ATTEMPTS = 3


class _PortTaken(Exception):
    pass


def _wait_ready(proc: subprocess.Popen[bytes], workdir: Path, log_path: Path) -> dict[str, Any]:
    ready = workdir / "ready.json"
    deadline = time.monotonic() + READY_TIMEOUT
    while not ready.exists():
        if proc.poll() is not None:
            output = log_path.read_text()
            if "in use" in output:  # "port N on 127.0.0.1 is in use" / "Address already in use"
                raise _PortTaken
            raise RuntimeDidNotStart(f"local runtime exited with {proc.poll()} before it was ready:\n{output[-4000:]}")
        if time.monotonic() > deadline:
            raise RuntimeDidNotStart(
                f"local runtime not ready within {READY_TIMEOUT:.0f} s:\n{log_path.read_text()[-4000:]}"
            )
        time.sleep(0.1)
    info: dict[str, Any] = json.loads(ready.read_text())
    info["log_path"] = log_path
    info["workdir"] = workdir
    return info


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
