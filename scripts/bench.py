"""Print the project's performance figures (recorded in docs/benchmarks.md). Figures, never assertions.

- synth time: `python infra/app.py` into a scratch folder;
- local runtime start: process start until its ready file appears;
- cold import of each function's handler, against the floor `python -c "import boto3"` in the same run;
- optionally (--with-tests) the test suite's wall time;
- with the local runtime (scripts/bench_load.py; --no-runtime to skip): cold start per function with a first
  request, notification throughput to the sample CCF system, warm latency p50/p99 per route under load, AWS calls
  per route (counted inside the function processes), and the estimated cost per 1,000 registrations / trámites;
- package and layer sizes from cdk.out (scripts/bench_cost.py).

`--quick` shortens every figure for trying the script; the recorded figures use the full run.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from infra.api_routes import API_FUNCTIONS, AUTHORIZER_FUNCTIONS, QUEUE_FUNCTIONS  # noqa: E402
from local.testing import free_port  # noqa: E402
from scripts import bench_cost, bench_load  # noqa: E402

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


def wall_and_cpu(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU time (user + system) of one process; CPU moves less than wall time on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def cold_imports(runs: int) -> list[tuple[str, float, float]]:
    """(name, median wall seconds, median CPU seconds) of the floor, then of each function's handler import."""
    env = {**os.environ, **FUNCTION_ENV}
    path = f"{ROOT}/functions:{ROOT}/layers/common/python"
    commands = [("floor: import boto3", [PYTHON, "-c", "import boto3"])]
    for area in (*API_FUNCTIONS, *QUEUE_FUNCTIONS, *AUTHORIZER_FUNCTIONS):
        code = f"import sys; sys.path[:0] = '{path}'.split(':'); import {area}.handler"
        commands.append((f"{area}.handler", [PYTHON, "-c", code]))
    # Interleaved (floor, every function, floor, ...): a busy machine's load changes within a run, and each ratio
    # must compare processes that ran under the same load.
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in commands}
    for _ in range(runs):
        for name, command in commands:
            samples[name].append(wall_and_cpu(command, env))
    return [
        (name, statistics.median(w for w, _ in taken), statistics.median(c for _, c in taken))
        for name, taken in samples.items()
    ]


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


def runtime_figures(args: argparse.Namespace, seconds: float, tramites: int, template: Path) -> dict[str, object]:
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="sat-ccf-bench-") as scratch:
        log = lambda text: print(f"[bench] {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)  # noqa: E731
        runtime = bench_load.start_runtime(Path(scratch), args.pool_size, free_port(), free_port())
        try:
            log("local runtime ready; building the world with the demo's steps")
            world = bench_load.build_world(runtime)
            figures["world_failed_steps"] = world.failed_steps
            log(f"notification throughput: {tramites} trámites")
            try:
                figures["notification_throughput"] = bench_load.tramite_throughput(runtime, world, tramites, 300)
            except Exception as error:  # a figure that could not be taken is reported, not fatal
                figures["notification_throughput"] = f"not measured: {type(error).__name__}: {error}"
            log(f"warm latency: {args.clients} clients x {seconds} s per route, pool size {args.pool_size}")
            figures["warm_latency"] = {
                "clients": args.clients,
                "seconds_per_route": seconds,
                "pool_size": args.pool_size,
                "routes": bench_load.warm_latency(runtime, world, args.clients, seconds),
            }
            log("cold starts")
            figures["cold_start"] = bench_load.cold_starts(runtime, args.runs)
            records = runtime.records()
            table = bench_load.calls_per_route(records)
            figures["aws_calls_per_route"] = table
            figures["aws_call_findings"] = bench_load.call_findings(table)
            memory = bench_cost.memory_by_function(template)
            cost: dict[str, object] = {"assumptions": bench_cost.ASSUMPTIONS}
            if "citizen_steps" in world.phases:
                first, end = world.phases["citizen_steps"]
                cost["per_1000_registrations"] = bench_cost.journey_cost(runtime.records(first, end), memory, 1)
            if "tramites" in world.phases:
                first, end = world.phases["tramites"]
                filed = [
                    r
                    for r in runtime.records(first, end)
                    if (r.get("method"), r.get("resource")) != ("GET", "/admin/tramites/{numeroTransaccion}")
                ]
                cost["per_1000_tramites"] = bench_cost.journey_cost(filed, memory, tramites)
            figures["estimated_cost"] = cost
        finally:
            runtime.stop()
    return figures


def route_figures(args: argparse.Namespace, seconds: float, names: set[str]) -> dict[str, object]:
    """Warm latency and AWS calls of the `names` routes only, in one local runtime (the demo's world)."""
    with tempfile.TemporaryDirectory(prefix="sat-ccf-bench-") as scratch:
        runtime = bench_load.start_runtime(Path(scratch), args.pool_size, free_port(), free_port())
        try:
            world = bench_load.build_world(runtime)
            routes = bench_load.warm_latency(runtime, world, args.clients, seconds, only=names)
            table = bench_load.calls_per_route(runtime.records())
        finally:
            runtime.stop()
    return {
        "world_failed_steps": world.failed_steps,
        "warm_latency": {
            "clients": args.clients,
            "seconds_per_route": seconds,
            "pool_size": args.pool_size,
            "routes": routes,
        },
        "aws_calls_per_route": {key: row for key, row in table.items() if key in names},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per cold-import figure (median)")
    parser.add_argument("--with-tests", action="store_true", help="also time the whole test suite")
    parser.add_argument("--quick", action="store_true", help="short runs for trying (3 s per route, 5 trámites)")
    parser.add_argument("--no-runtime", dest="runtime", action="store_false", help="skip the local-runtime figures")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients per route (default 20)")
    parser.add_argument("--seconds", type=float, default=None, help="load per route in seconds (default 30)")
    parser.add_argument("--pool-size", type=int, default=2, help="local runtime processes per function (default 2)")
    parser.add_argument("--tramites", type=int, default=None, help="trámites filed for the throughput (default 50)")
    parser.add_argument(
        "--routes",
        nargs="+",
        metavar="NAME",
        help="only these routes' warm latency and AWS calls, named as in the output (e.g. 'GET /ccfs/{nit}/services'), "
        "with 'GET /health' as the reference in the same run; no other figure",
    )
    args = parser.parse_args()
    if args.quick:
        args.runs = min(args.runs, 3)
    seconds = args.seconds if args.seconds is not None else (3.0 if args.quick else 30.0)
    tramites = args.tramites if args.tramites is not None else (5 if args.quick else 50)

    figures: dict[str, object] = {"python": sys.version.split()[0], "machine": f"{os.cpu_count()} cores"}
    # Other work on the same cores skews every figure: the load average is part of the record.
    figures["load_average_1m_at_start"] = round(os.getloadavg()[0], 1)
    if args.routes:
        figures.update(route_figures(args, seconds, {"GET /health", *args.routes}))
        figures["load_average_1m_at_end"] = round(os.getloadavg()[0], 1)
        print(json.dumps(figures, indent=2))
        return 0
    figures["synth_s"] = round(synth_seconds(), 2)
    figures["local_runtime_ready_s"] = round(local_start_seconds(), 2)
    imports = cold_imports(args.runs)
    floor, floor_cpu = imports[0][1], imports[0][2]
    figures["cold_import_s"] = {name: round(seconds, 3) for name, seconds, _ in imports}
    figures["cold_import_vs_floor"] = {name: round(seconds / floor, 2) for name, seconds, _ in imports[1:]}
    figures["cold_import_cpu_vs_floor"] = {name: round(cpu / floor_cpu, 2) for name, _, cpu in imports[1:]}
    template = sorted((ROOT / "cdk.out").glob("SatCcf-*.template.json"))[0]
    figures["package_sizes"] = bench_cost.package_sizes(template)
    if args.runtime:
        figures.update(runtime_figures(args, seconds, tramites, template))
    if args.with_tests:
        figures["test_suite_s"] = round(timed([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider"]), 1)
    figures["load_average_1m_at_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
