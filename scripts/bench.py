"""Print the project's performance figures (recorded in docs/benchmarks.md). Figures, never assertions.

- synth time: `python infra/app.py` into a scratch folder;
- local runtime start: process start until its ready file appears;
- cold import of each function's handler, against the floor `python -c "import boto3"` in the same run;
- optionally (--with-tests) the test suite's wall time.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from infra.api_routes import API_FUNCTIONS, QUEUE_FUNCTIONS  # noqa: E402
from local.testing import free_port  # noqa: E402

PYTHON = sys.executable
FUNCTION_ENV = {
    "STAGE": "bench",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "SENDER_EMAIL": "bench@example.org",
    "EMAIL_TEMPLATE_PREFIX": "bench-",
    "MAIN_TABLE_NAME": "main",
    "REFERENCE_TABLE_NAME": "reference",
    "AUDIT_TABLE_NAME": "audit",
    "PEOPLE_USER_POOL_ID": "us-east-1_bench",
    "PEOPLE_USER_POOL_CLIENT_ID": "bench",
    "OUTBOX_QUEUE_URL": "http://127.0.0.1/queue/outbox",
    "PORTAL_BASE_URL": "https://portal.example",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def timed(command: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def median_of(runs: int, command: list[str], env: dict[str, str] | None = None) -> float:
    return statistics.median(timed(command, env) for _ in range(runs))


def cold_imports(runs: int) -> list[tuple[str, float]]:
    env = {**os.environ, **FUNCTION_ENV}
    path = f"{ROOT}/functions:{ROOT}/layers/common/python"
    figures = [("floor: import boto3", median_of(runs, [PYTHON, "-c", "import boto3"], env))]
    for area in (*API_FUNCTIONS, *QUEUE_FUNCTIONS):
        code = f"import sys; sys.path[:0] = '{path}'.split(':'); import {area}.handler"
        figures.append((f"{area}.handler", median_of(runs, [PYTHON, "-c", code], env)))
    return figures


def synth_seconds() -> float:
    with tempfile.TemporaryDirectory() as outdir:
        return timed([PYTHON, "infra/app.py"], env={**os.environ, "CDK_OUTDIR": outdir})


def local_start_seconds() -> float:
    with tempfile.TemporaryDirectory() as workdir:
        ready = Path(workdir) / "ready.json"
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "local",
                "--workdir",
                workdir,
                "--api-port",
                str(free_port()),
                "--moto-port",
                str(free_port()),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while not ready.exists():
                if process.poll() is not None:
                    raise RuntimeError("the local runtime exited before it was ready")
                time.sleep(0.05)
            return time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per cold-import figure (median)")
    parser.add_argument("--with-tests", action="store_true", help="also time the whole test suite")
    args = parser.parse_args()

    figures: dict[str, object] = {"python": sys.version.split()[0], "machine": f"{os.cpu_count()} cores"}
    figures["synth_s"] = round(synth_seconds(), 2)
    figures["local_runtime_ready_s"] = round(local_start_seconds(), 2)
    imports = cold_imports(args.runs)
    floor = imports[0][1]
    figures["cold_import_s"] = {name: round(seconds, 3) for name, seconds in imports}
    figures["cold_import_vs_floor"] = {name: round(seconds / floor, 2) for name, seconds in imports[1:]}
    if args.with_tests:
        figures["test_suite_s"] = round(timed([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]), 1)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
