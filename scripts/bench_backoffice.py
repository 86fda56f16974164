"""The back office's list routes with 1,000 items each: DynamoDB calls per request and latency (docs/benchmarks.md).

Starts the local runtime with the AWS-call counting of scripts/bench.py (local/instrumentation.py: every function
process counts its botocore calls per invocation), writes 1,000 items per list straight into its moto (the shapes
the functions write: trámites, transfers, CCF activations, employers waiting for review, audit entries through
sat_common.audit.entry), signs in as the seeded administrator and requests each list's first page (`limit=100`)
REQUESTS times, then walks one list to its end. Prints, per route: p50/p95 latency seen by the client, the
DynamoDB calls per request (median and max, from the function's own counts) and whether any was a Scan — the
script exits 1 if a list route issued a Scan or more than two Queries per page.

Usage: python scripts/bench_backoffice.py [--requests 30] [--items 1000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers/common/python")]

from local import aws as local_aws  # noqa: E402
from local import journeys  # noqa: E402
from local.testing import free_port  # noqa: E402
from sat_common import audit  # noqa: E402
from sat_common.audit import Actor  # noqa: E402
from scripts.bench_load import percentile, start_runtime  # noqa: E402

CCF = "860007336"
DOCUMENT = "1020304050"
MAX_QUERIES_PER_PAGE = 2


def _table(info: dict[str, Any], kind: str) -> Any:
    name = next(value for lid, value in info["tables"].items() if kind in lid.lower())
    return local_aws.resource("dynamodb", info["moto_url"], info["region"]).Table(name)


def _at(base: datetime, n: int) -> str:
    return (base + timedelta(seconds=n)).isoformat(timespec="milliseconds")


def load(info: dict[str, Any], items: int) -> dict[str, float]:
    """`items` of each list into moto; returns the seconds each load took."""
    base = datetime.now(UTC) - timedelta(days=2)
    states = ("NOTIFICADA", "APROBADA", "RECHAZADA", "FALLIDA", "PENDIENTE")
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with _table(info, "main").batch_writer() as batch:
        for n in range(items):
            at, estado = _at(base, n), states[n % len(states)]
            if n % 10 == 9:  # one in ten a transfer to the CCF
                batch.put_item(Item={
                    "PK": f"TRASLADO#BENCH{n:06d}", "SK": "PROFILE", "estado": "RECIBIDA", "createdAt": at,
                    "updatedAt": at, "GSI1PK": f"CCF#{CCF}", "GSI1SK": f"TRASLADO#{at}",
                    "GSI2PK": "TRASSTATE#RECIBIDA", "GSI2SK": at,
                })  # fmt: skip
                continue
            numero = f"2026{n:012d}"
            batch.put_item(Item={
                "PK": f"TRAMITE#{numero}", "SK": "PROFILE", "numeroTransaccion": numero, "ccfNit": CCF,
                "codigoNovedad": "AFI", "estado": estado, "attempts": 1, "lastOutcome": "ACUSADA",
                "createdAt": at, "updatedAt": at, "GSI1PK": f"CCF#{CCF}", "GSI1SK": f"TRAMITE#{at}",
                "GSI2PK": f"TRAMSTATE#{estado}", "GSI2SK": at,
            })  # fmt: skip
    timings["trámites and transfers"] = time.perf_counter() - started
    started = time.perf_counter()
    with _table(info, "main").batch_writer() as batch:
        for n in range(items):
            nit, at = f"9{n:08d}", _at(base, n)
            batch.put_item(Item={
                "PK": f"CCF#{nit}", "SK": "ACTIVATION", "nit": nit, "status": "ACTIVE", "activatedAt": at,
                "activatedBy": "CC-1000000001", "businessName": f"Caja de prueba {n}", "GSI1PK": "CCFS", "GSI1SK": nit,
            })  # fmt: skip
            batch.put_item(Item={
                "PK": f"EMPLOYER#{nit}", "SK": "PROFILE", "nit": nit, "businessName": f"Empresa de prueba {n}",
                "status": "PENDING_REVIEW", "createdAt": at, "updatedAt": at,
                "GSI1PK": "EMPSTATUS#PENDING_REVIEW", "GSI1SK": f"{at}#{nit}",
            })  # fmt: skip
    timings["CCFs and employers"] = time.perf_counter() - started
    started = time.perf_counter()
    with _table(info, "audit").batch_writer() as batch:
        for n in range(items):
            acted = n % 2 == 0
            entry = audit.entry(
                f"CCF#{CCF}" if n % 3 else f"PERSON#CC-{DOCUMENT}",
                "BENCH_ACTION",
                Actor(f"CC-{DOCUMENT}" if acted else "CC-1000000001", "203.0.113.1", "bench"),
                {"n": n, "ccfNit": CCF},
            )
            batch.put_item(Item=entry)
    timings["audit entries"] = time.perf_counter() - started
    return timings


ROUTES: list[tuple[str, dict[str, str]]] = [
    ("/admin/employers", {"status": "PENDING_REVIEW"}),
    ("/admin/tramites", {"ccfNit": CCF}),
    ("/admin/tramites", {"ccfNit": CCF, "type": "TRAMITE"}),
    ("/admin/tramites", {"state": "FALLIDA"}),
    ("/admin/tramites", {"state": "APROBADA", "ccfNit": CCF}),
    ("/admin/audit", {"nit": CCF}),
    ("/admin/audit", {"documentNumber": DOCUMENT}),
    ("/admin/audit", {"action": "BENCH_ACTION"}),
    ("/admin/ccfs", {}),
    ("/admin/operators", {}),
]


def measure(api: httpx.Client, runtime: Any, headers: dict[str, str], requests: int) -> list[dict[str, Any]]:
    rows = []
    for path, params in ROUTES:
        query = {**params, "limit": "100"}
        first = api.get(path, params=query, headers=headers)
        if first.status_code == 422 and "limit" in first.text:  # a list without a page size
            query.pop("limit")
            first = api.get(path, params=query, headers=headers)
        label = path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
        if first.status_code != 200:
            rows.append({"route": label, "status": first.status_code, "note": first.text[:120]})
            continue
        mark = runtime.mark()
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            response = api.get(path, params=query, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        time.sleep(0.3)  # the function processes append their counts after answering
        records = [r for r in runtime.records(mark) if r.get("method") == "GET" and r.get("resource") == path]
        calls = [{op: n for op, n in r["calls"].items() if op.startswith("dynamodb.")} for r in records[-requests:]]
        queries = [c.get("dynamodb.Query", 0) for c in calls]
        body = first.json()
        rows.append({
            "route": label,
            "status": 200,
            "items": len(body.get("items", [])),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "dynamodb_per_request": round(statistics.median(sum(c.values()) for c in calls), 1) if calls else None,
            "queries_max": max(queries) if queries else None,
            "operations": sorted({op for c in calls for op in c}),
            "scan": any("dynamodb.Scan" in c for c in calls),
        })  # fmt: skip
    return rows


def walk(api: httpx.Client, runtime: Any, headers: dict[str, str], path: str, params: dict[str, str]) -> dict:
    """Every page of one list: items, pages, the most Queries a page cost."""
    mark, token, items, pages = runtime.mark(), None, 0, 0
    while True:
        response = api.get(path, params={**params, "limit": "100", **({"pageToken": token} if token else {})},
                           headers=headers)  # fmt: skip
        response.raise_for_status()
        items, pages = items + len(response.json()["items"]), pages + 1
        token = response.json().get("nextPageToken")
        if not token or pages > 100:
            break
    time.sleep(0.3)
    records = [r for r in runtime.records(mark) if r.get("resource") == path]
    most = max((r["calls"].get("dynamodb.Query", 0) for r in records), default=0)
    scans = sum(r["calls"].get("dynamodb.Scan", 0) for r in records)
    return {"route": path, "params": params, "items": items, "pages": pages, "queries_max": most, "scans": scans}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args(argv)
    load_avg = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"uptime before: {load_avg}")
    with tempfile.TemporaryDirectory(prefix="bench-backoffice-") as scratch:
        runtime = start_runtime(Path(scratch), pool_size=1, api_port=free_port(), moto_port=free_port())
        try:
            info = runtime.info
            timings = load(info, args.items)
            print("loaded " + ", ".join(f"{args.items} {k} in {v:.1f} s" for k, v in timings.items()))
            with httpx.Client(base_url=info["api_url"], timeout=60) as api:
                headers = journeys.bearer(journeys.ministry_session(api, info["ministry_login"]))
                rows = measure(api, runtime, headers, args.requests)
                walks = [
                    walk(api, runtime, headers, "/admin/tramites", {"ccfNit": CCF}),
                    walk(api, runtime, headers, "/admin/audit", {"documentNumber": DOCUMENT}),
                ]
        finally:
            runtime.stop()
    print(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"\n{'route':<52} {'items':>5} {'p50 ms':>7} {'p95 ms':>7} {'DDB/req':>7} {'Query max':>9}  Scan  calls")
    bad = []
    for row in rows:
        if row["status"] != 200:
            print(f"{row['route']:<52} not measured: HTTP {row['status']} {row.get('note', '')[:60]}")
            continue
        print(
            f"{row['route']:<52} {row['items']:>5} {row['p50_ms']:>7} {row['p95_ms']:>7} "
            f"{row['dynamodb_per_request']!s:>7} {row['queries_max']!s:>9}  {'YES' if row['scan'] else 'no ':<4}  "
            f"{', '.join(row['operations'])}"
        )
        if row["scan"] or (row["queries_max"] or 0) > MAX_QUERIES_PER_PAGE:
            bad.append(row["route"])
    for result in walks:
        print(
            f"walk {result['route']} {result['params']}: {result['items']} items in {result['pages']} pages, "
            f"at most {result['queries_max']} Queries per page, {result['scans']} Scans"
        )
        if result["scans"] or result["queries_max"] > MAX_QUERIES_PER_PAGE:
            bad.append(result["route"])
    if bad:
        print(f"\nFAILED: a Scan or more than {MAX_QUERIES_PER_PAGE} Queries per page on {', '.join(bad)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
