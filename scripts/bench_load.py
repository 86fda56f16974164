"""The figures that need the local runtime (used by scripts/bench.py; figures, never assertions).

- a world built over HTTP with the demo's own steps (people, employer, CCF activated, services, consumer password);
- notification delivery throughput: N trámites filed, time until the sample CCF system acknowledged and answered all;
- warm latency p50/p99 per route under C concurrent clients for D seconds each (bounded in count and time);
- AWS calls per route and per journey, counted inside the function processes (local/instrumentation.py);
- cold start per function: a fresh process imports the handler and handles one event recorded from the runtime.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAX_REQUESTS_PER_CLIENT = 100_000  # every load loop is bounded in count as well as in time


@dataclass
class Runtime:
    process: subprocess.Popen[bytes]
    info: dict[str, Any]
    counts: Path
    workdir: Path

    def mark(self) -> int:
        """How many invocations were recorded so far (a phase boundary in the counts file)."""
        return len(self.records())

    def records(self, start: int = 0, end: int | None = None) -> list[dict[str, Any]]:
        if not self.counts.exists():
            return []
        lines = self.counts.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines[start:end] if line.strip()]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_runtime(workdir: Path, pool_size: int, api_port: int, moto_port: int) -> Runtime:
    counts = workdir / "aws-calls.jsonl"
    command = [PYTHON, str(ROOT / "scripts/bench_runtime.py"), str(counts), "--workdir", str(workdir)]
    command += ["--api-port", str(api_port), "--moto-port", str(moto_port), "--quiet", "--pool-size", str(pool_size)]
    from local.testing import free_port  # the portal's default port may be another runtime's (make demo)

    command += ["--portal-port", str(free_port())]
    log = (workdir / "runtime.log").open("wb")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    ready = workdir / "ready.json"
    deadline = time.monotonic() + 120
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local runtime did not start; see {workdir / 'runtime.log'}")
        time.sleep(0.1)
    time.sleep(0.2)
    return Runtime(process, json.loads(ready.read_text()), counts, workdir)


# --- the world -------------------------------------------------------------------------------------------------


@dataclass
class World:
    nit: str
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> auth headers
    client_ids: dict[str, str] = field(default_factory=dict)
    consumer_password: str = ""
    phases: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (first, end) record indexes
    failed_steps: list[str] = field(default_factory=list)


def build_world(runtime: Runtime) -> World:
    """The demo's steps (local/demo.py), quietly: the same calls a newcomer sees in `make demo`."""
    from local import demo as story

    info = runtime.info
    world = World(nit=story.DEMO["ccfNit"])
    with httpx.Client(base_url=info["api_url"], timeout=60) as api:
        walk = story.Demo(api=api, mailbox_url=info["mailbox_url"], ministry_login=info["ministry_login"], total=0)
        for _, group in story.STEP_GROUPS[:5]:  # platform, citizen, employer, authorization, catalog
            first = runtime.mark()
            with contextlib.redirect_stdout(io.StringIO()):
                group(walk)
            world.phases[group.__name__] = (first, runtime.mark())
    world.failed_steps = [outcome.step for outcome in walk.outcomes if not outcome.ok]
    for who in ("legalRepresentative", "delegate", "authorized"):
        if who in walk.world:
            world.people[who] = walk.world[who]["headers"]
    if "ministry" in walk.world:
        world.people["ministry"] = walk.world["ministry"]
    world.client_ids = dict(walk.world.get("clientIds", {}))
    world.consumer_password = story.PASSWORDS["consumer"]
    return world


def system_token(api: httpx.Client, world: World, service: str = "solicitud-afiliacion") -> dict[str, str]:
    from local.journeys import basic_auth

    auth = basic_auth(world.client_ids[service], world.consumer_password)
    response = api.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=auth)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- notification throughput -----------------------------------------------------------------------------------


def tramite_throughput(runtime: Runtime, world: World, count: int, timeout: float) -> dict[str, Any]:
    """File `count` trámites at once; time until the sample CCF acknowledged every notification and answered."""
    from examples.sample_ccf import Config, SampleCcf
    from local import exchange_journey
    from local.demo import DEMO
    from local.testing import free_port

    api_url = runtime.info["api_url"]
    ministry = world.people["ministry"]
    with httpx.Client(base_url=api_url, timeout=60) as api:
        config = Config(
            port=free_port(),
            api_url=api_url,
            pull_client_id=world.client_ids["solicitud-afiliacion"],
            answer_client_id=world.client_ids["respuesta-tramite-ccf"],
            password=world.consumer_password,
            nit=world.nit,
        )
        ccf = SampleCcf(config).start()
        try:
            exchange_journey.share_notification_endpoint(api, world.people["authorized"], world.nit, ccf)
            request = exchange_journey.tramite_request(
                world.nit,
                DEMO["mismatchCompanyNit"],
                DEMO["mismatchLegalRepresentative"],
                "bench@empleador.example.com",
            )
            first = runtime.mark()
            started = time.perf_counter()
            numbers = []
            for _ in range(count):
                filed = api.post("/admin/tramites", json=request, headers=ministry)
                filed.raise_for_status()
                numbers.append(filed.json()["numeroTransaccion"])
            filed_s = time.perf_counter() - started
            acknowledged: dict[str, float] = {}
            answered: dict[str, float] = {}
            deadline = time.monotonic() + timeout
            while len(answered) < count and time.monotonic() < deadline:
                for numero in numbers:
                    if numero in answered:
                        continue
                    tramite = api.get(f"/admin/tramites/{numero}", headers=ministry).json()
                    now = time.perf_counter() - started
                    if tramite.get("acknowledgement") is not None:
                        acknowledged.setdefault(numero, now)
                    if tramite.get("estado") in ("APROBADA", "RECHAZADA"):
                        acknowledged.setdefault(numero, now)
                        answered[numero] = now
                time.sleep(0.25)
            time.sleep(1.0)  # let the last answers' e-mails be delivered, so they are counted in this phase
            world.phases["tramites"] = (first, runtime.mark())
        finally:
            ccf.stop()
    ack_s = max(acknowledged.values()) if len(acknowledged) == count else None
    done_s = max(answered.values()) if len(answered) == count else None
    return {
        "tramites": count,
        "filed_in_s": round(filed_s, 2),
        "all_acknowledged_s": round(ack_s, 2) if ack_s else f"{len(acknowledged)}/{count} within {timeout} s",
        "all_answered_s": round(done_s, 2) if done_s else f"{len(answered)}/{count} within {timeout} s",
        "acknowledged_per_s": round(count / ack_s, 2) if ack_s else None,
        "note": "from the first POST /admin/tramites; status polled every 0.25 s (the polls load the runtime too)",
    }


# --- warm latency --------------------------------------------------------------------------------------------------


def load_routes(world: World, api: httpx.Client) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(name, method, path, request kwargs) - the representative set; routes whose world is missing are left out."""
    nit = world.nit
    people = world.people
    routes: list[tuple[str, str, str, dict[str, Any]]] = [
        ("GET /health", "GET", "/health", {}),
        (
            "GET /catalogs/municipalities?department=05",
            "GET",
            "/catalogs/municipalities",
            {"params": {"department": "05"}},
        ),
        ("GET /.well-known/jwks.json", "GET", "/.well-known/jwks.json", {}),
    ]
    if "authorized" in people:
        routes += [
            ("GET /me", "GET", "/me", {"headers": people["authorized"]}),
            ("GET /me/roles", "GET", "/me/roles", {"headers": people["authorized"]}),
            ("GET /ccfs/{nit}/services", "GET", f"/ccfs/{nit}/services", {"headers": people["authorized"]}),
            (
                "GET /ccfs/{nit}/services/{serviceId}",
                "GET",
                f"/ccfs/{nit}/services/solicitud-afiliacion",
                {"headers": people["authorized"]},
            ),
        ]
    if "legalRepresentative" in people:
        routes.append(("GET /employers/{nit}", "GET", f"/employers/{nit}", {"headers": people["legalRepresentative"]}))
    if "delegate" in people:
        routes.append(
            (
                "GET /employers/{nit}/authorizations",
                "GET",
                f"/employers/{nit}/authorizations",
                {"headers": people["delegate"]},
            )
        )
    if "ministry" in people:
        routes.append(("GET /admin/ccfs", "GET", "/admin/ccfs", {"headers": people["ministry"]}))
    if world.client_ids.get("solicitud-afiliacion"):
        from local.journeys import basic_auth

        auth = basic_auth(world.client_ids["solicitud-afiliacion"], world.consumer_password)
        routes.append(
            (
                "POST /oauth2/token",
                "POST",
                "/oauth2/token",
                {"data": {"grant_type": "client_credentials"}, "headers": auth},
            )
        )
        routes.append(("GET /sat/session", "GET", "/sat/session", {"token": True}))
    return routes


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def hammer(
    api_url: str, method: str, path: str, kwargs: dict[str, Any], clients: int, seconds: float
) -> dict[str, Any]:
    """`clients` threads, each with its own connection, calling the route until `seconds` have passed."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[Counter[int]] = [Counter() for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        with httpx.Client(base_url=api_url, timeout=30) as http:
            start.wait()
            for _ in range(MAX_REQUESTS_PER_CLIENT):
                if time.perf_counter() >= deadline[0]:
                    break
                began = time.perf_counter()
                try:
                    response = http.request(method, path, **kwargs)
                except httpx.HTTPError:
                    errors[i] += 1
                    continue
                latencies[i].append(time.perf_counter() - began)
                statuses[i][response.status_code] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - began
    every = [value for values in latencies for value in values]
    status: Counter[int] = sum(statuses, Counter())
    if not every:
        return {"requests": 0, "errors": sum(errors)}
    return {
        "requests": len(every),
        "rps": round(len(every) / elapsed, 1),
        "p50_ms": round(percentile(every, 0.50) * 1000, 1),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "max_ms": round(max(every) * 1000, 1),
        "status": {str(code): n for code, n in sorted(status.items())},
        "errors": sum(errors),
    }


def warm_latency(
    runtime: Runtime, world: World, clients: int, seconds: float, only: set[str] | None = None
) -> dict[str, Any]:
    """Each route of load_routes (those named in `only`, when given) under load, one after the other."""
    api_url = runtime.info["api_url"]
    figures: dict[str, Any] = {}
    with httpx.Client(base_url=api_url, timeout=60) as api:
        for name, method, path, kwargs in load_routes(world, api):
            if only is not None and name not in only:
                continue
            if kwargs.pop("token", False):
                kwargs = {"headers": system_token(api, world)}
            api.request(method, path, **kwargs)  # one warm-up call
            first = runtime.mark()
            figures[name] = hammer(api_url, method, path, kwargs, clients, seconds)
            world.phases[f"load {name}"] = (first, runtime.mark())
    return figures


# --- AWS calls ----------------------------------------------------------------------------------------------------

READ_ROUTE_DYNAMODB_TARGET = 1


def route_key(record: dict[str, Any]) -> str:
    if record.get("method"):
        return f"{record['method']} {record['resource']}"
    return f"{record['function'].rsplit('-', 1)[-1]} ({record.get('source')})"


def calls_per_route(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per route (or queue/authorizer source): invocations, and the median / max count of each AWS operation."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[route_key(record)].append(record)
    table: dict[str, Any] = {}
    for key, items in sorted(grouped.items()):
        operations = sorted({op for item in items for op in item["calls"]})
        per_op = {
            op: {
                "median": statistics.median(item["calls"].get(op, 0) for item in items),
                "max": max(item["calls"].get(op, 0) for item in items),
            }
            for op in operations
        }
        table[key] = {
            "invocations": len(items),
            "median_ms": round(statistics.median(item["ms"] for item in items), 1),
            "calls": per_op,
        }
    return table


def call_findings(table: dict[str, Any]) -> dict[str, Any]:
    """Which read routes exceed one DynamoDB call; any Scan anywhere; Secrets Manager / KMS per route."""
    over: dict[str, float] = {}
    scans: list[str] = []
    secrets_kms: dict[str, dict[str, float]] = {}
    for key, row in table.items():
        dynamodb = sum(stats["median"] for op, stats in row["calls"].items() if op.startswith("dynamodb."))
        if key.startswith("GET ") and dynamodb > READ_ROUTE_DYNAMODB_TARGET:
            over[key] = dynamodb
        scans += [key for op in row["calls"] if op == "dynamodb.Scan"]
        picked = {
            op: s["median"]
            for op, s in row["calls"].items()
            if op.split(".")[0] in ("kms", "secretsmanager", "secrets-manager")
        }
        if picked:
            secrets_kms[key] = picked
    return {"read_routes_over_one_dynamodb_call": over, "routes_with_scan": scans, "secrets_and_kms": secrets_kms}


# --- cold start -----------------------------------------------------------------------------------------------------

COLD_CODE = """
import importlib, json, os, sys, time
began = time.perf_counter()
sys.path[:0] = json.loads(os.environ.pop("_BENCH_PATH"))
module, _, name = os.environ["_HANDLER"].rpartition(".")
handler = getattr(importlib.import_module(module), name)
imported = time.perf_counter()
event = json.loads(sys.stdin.read() or "null")

class Context:
    function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
    memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/" + function_name
    log_stream_name = "bench"
    identity = None
    client_context = None
    def get_remaining_time_in_millis(self):
        return 30000

status = None
if event is not None:
    try:
        result = handler(event, Context())
        status = result.get("statusCode", "a dict") if isinstance(result, dict) else type(result).__name__
    except Exception as error:  # an authorizer denies by raising "Unauthorized"
        status = f"raised {type(error).__name__}: {error}"
done = time.perf_counter()
print(json.dumps({"import_s": imported - began, "first_request_s": done - imported, "status": status}))
"""


def pick_event(records: list[dict[str, Any]], function: str) -> dict[str, Any] | None:
    """A recorded event of this function: a GET route first (reads), else the authorizer's; queue batches never."""
    mine = [r for r in records if r["function"] == function and "event" in r]
    for record in mine:
        if record.get("method") == "GET" and record.get("resource") not in ("/openapi.json", "/docs"):
            event: dict[str, Any] = record["event"]
            return event
    for record in mine:
        if record.get("source") == "authorizer" or record.get("method"):
            other: dict[str, Any] = record["event"]
            return other
    return None


def cold_starts(runtime: Runtime, runs: int) -> dict[str, Any]:
    from local.lambdas import function_specs, worker_environment
    from local.template import Template

    template = Template.load(_template_path(runtime))
    moto_url = runtime.info["moto_url"]
    specs = function_specs(template, runtime.workdir, moto_url)
    records = runtime.records()
    base = worker_environment(next(iter(specs.values())), moto_url, template.region)
    base.pop("PYTHONPATH", None)
    floor_env = {**base, "_BENCH_PATH": "[]"}
    # The floor runs just before each function's run, so every ratio compares processes under the same load.
    floor_walls: list[float] = []
    figures: dict[str, Any] = {}
    running = _running_environments(runtime.process.pid)
    for spec in specs.values():
        # The environment of the runtime's own process for this function: the template's values resolved against
        # what was provisioned in moto (KMS key ids, ...); the template alone cannot resolve those.
        env = dict(running.get(spec.name) or worker_environment(spec, moto_url, template.region))
        env.pop("PYTHONPATH", None)
        env.pop("_LOCAL_LAYER_PATHS", None)
        env["_BENCH_PATH"] = json.dumps([str(spec.code_dir), *map(str, spec.layer_dirs)])
        event = pick_event(records, spec.name)
        stdin = json.dumps(event) if event is not None else ""
        walls: list[float] = []
        inner: list[dict[str, Any]] = []
        floors: list[float] = []
        for _ in range(runs):
            floors.append(_timed([PYTHON, "-c", "import boto3"], floor_env, None))
            began = time.perf_counter()
            done = subprocess.run(
                [PYTHON, "-c", COLD_CODE], input=stdin, env=env, cwd=spec.code_dir, capture_output=True, text=True
            )
            walls.append(time.perf_counter() - began)
            if done.returncode != 0:
                inner.append({"error": done.stderr.strip().splitlines()[-3:]})
                continue
            inner.append(json.loads(done.stdout.strip().splitlines()[-1]))
        wall, floor = statistics.median(walls), statistics.median(floors)
        floor_walls += floors
        ok = [x for x in inner if "import_s" in x]
        what = f"{event['httpMethod']} {event['resource']}" if event and "httpMethod" in event else None
        what = what or ("authorizer event" if event else "import only")
        figures[spec.name.rsplit("-", 1)[-1]] = {
            "wall_s": round(wall, 3),
            "vs_floor": round(wall / floor, 2),
            "import_s": round(statistics.median(x["import_s"] for x in ok), 3) if ok else None,
            "first_request_s": round(statistics.median(x["first_request_s"] for x in ok), 3) if ok else None,
            "request": what,
            "status": ok[0]["status"] if ok else inner[0],
        }
    return {"floor: import boto3": {"wall_s": round(statistics.median(floor_walls), 3)}, **figures}


def _running_environments(parent: int) -> dict[str, dict[str, str]]:
    """AWS_LAMBDA_FUNCTION_NAME -> environment of the local runtime's function processes (Linux /proc)."""
    found: dict[str, dict[str, str]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) != parent:
                continue
            raw = (proc / "environ").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        env = dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)
        if "AWS_LAMBDA_FUNCTION_NAME" in env:
            found.setdefault(env["AWS_LAMBDA_FUNCTION_NAME"], env)
    return found


def _template_path(runtime: Runtime) -> Path:
    path = runtime.info.get("template")
    if path and Path(path).exists():
        return Path(path)
    return sorted((ROOT / "cdk.out").glob("SatCcf-*.template.json"))[0]


def _timed(command: list[str], env: dict[str, str], cwd: Path | None) -> float:
    began = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - began


def environment_note() -> dict[str, Any]:
    return {"cores": os.cpu_count()}
