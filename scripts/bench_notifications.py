"""`make bench-notifications`: trámite notifications delivered per second end to end through the local runtime
(docs/benchmarks.md; decision 0105). Figures, never assertions.

A fresh local runtime; the demo's steps build the world (a CCF with its authorized person and services); the
sample CCF system registers its notification endpoint. Then, twice, N trámites (default 200) are filed through
POST /admin/tramites and the clock runs until the sample CCF has received and acknowledged every notification and
the Ministry has recorded each acknowledgement (NOTIFICADA): once with the endpoint healthy, once with its `flaky`
fault (every other POST to the endpoint answers 503, so about half of the attempts fail and are retried on the
schedule: the first retry after a uniform wait of 1 to 30 s).

The sample CCF only acknowledges (decision `none`): no pull, no answer, so the figure is the delivery's own.

Usage: scripts/bench_notifications.py [--count 200] [--timeout 900]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_load import World, build_world, start_runtime  # noqa: E402


def _notified(api: httpx.Client, ministry: dict[str, str], nit: str) -> set[str]:
    """The CCF's NOTIFICADA trámites, through the Ministry's list (paginated)."""
    found: set[str] = set()
    params: dict[str, Any] = {"state": "NOTIFICADA", "ccfNit": nit, "limit": 100}
    while True:
        page = api.get("/admin/tramites", params=params, headers=ministry)
        page.raise_for_status()
        body = page.json()
        found.update(str(item["numeroTransaccion"]) for item in body["items"])
        if not body.get("nextPageToken"):
            return found
        params["pageToken"] = body["nextPageToken"]


def run_phase(api_url: str, world: World, ccf: Any, fault: str, count: int, timeout: float) -> dict[str, Any]:
    from local import exchange_journey
    from local.demo import DEMO

    ministry = world.people["ministry"]
    ccf.set_fault(fault)
    request = exchange_journey.tramite_request(
        world.nit, DEMO["mismatchCompanyNit"], DEMO["mismatchLegalRepresentative"], "bench@empleador.example.com"
    )
    with httpx.Client(base_url=api_url, timeout=60) as api:
        before = {n["numero_transaccion"] for n in ccf.summary()["notifications"]}
        started = time.perf_counter()
        numbers = []
        for _ in range(count):
            filed = api.post("/admin/tramites", json=request, headers=ministry)
            filed.raise_for_status()
            numbers.append(filed.json()["numeroTransaccion"])
        filed_s = time.perf_counter() - started
        wanted = set(numbers)
        received_at: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        while len(received_at) < count and time.monotonic() < deadline:
            now = time.perf_counter() - started
            for note in ccf.summary()["notifications"]:
                numero = note["numero_transaccion"]
                if numero in wanted and numero not in before:
                    received_at.setdefault(numero, now)
            time.sleep(0.2)
        # The Ministry records each acknowledgement after the CCF answered the POST: wait for all of them.
        recorded = _notified(api, ministry, world.nit) & wanted
        while len(recorded) < len(received_at) and time.monotonic() < deadline + 60:
            time.sleep(1.0)
            recorded = _notified(api, ministry, world.nit) & wanted
        recorded_s = time.perf_counter() - started
        summary = ccf.summary()
    ccf.set_fault("none")
    deliveries = [n["numero_transaccion"] for n in summary["notifications"] if n["numero_transaccion"] in wanted]
    times = sorted(received_at.values())
    last = times[-1] if len(times) == count else None

    def quantile(q: float) -> float | None:
        return round(times[min(len(times) - 1, int(q * count))], 1) if len(times) > q * count else None

    return {
        "fault": fault,
        "tramites": count,
        "filed_in_s": round(filed_s, 1),
        "all_received_by_the_ccf_s": round(last, 1) if last else f"{len(times)}/{count} within {timeout} s",
        "all_notificada_s": round(recorded_s, 1) if len(recorded) == count else f"{len(recorded)}/{count}",
        "delivered_per_s": round(count / last, 2) if last else None,
        # from the first POST: half, 90 %, 99 % of the trámites received by the CCF (None: not within the timeout)
        "received_p50_p90_p99_s": [quantile(0.5), quantile(0.9), quantile(0.99)],
        "received_within_60_300_s": [sum(t <= 60 for t in times), sum(t <= 300 for t in times)],
        "median_receipt_s": round(statistics.median(times), 1) if times else None,
        "posts_received_by_the_ccf": len(deliveries),
        "duplicates_acknowledged": len(deliveries) - len(set(deliveries)),
    }


def main(argv: list[str] | None = None) -> int:
    from examples.sample_ccf import Config, SampleCcf
    from local import exchange_journey
    from local.testing import free_port

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="bench-notifications-"))
    runtime = start_runtime(workdir, pool_size=2, api_port=free_port(), moto_port=free_port())
    results: dict[str, Any] = {}
    try:
        world = build_world(runtime)
        if world.failed_steps or "ministry" not in world.people or "authorized" not in world.people:
            raise RuntimeError(f"the demo's world is incomplete: {world.failed_steps}")
        api_url = runtime.info["api_url"]
        config = Config(
            port=free_port(),
            api_url=api_url,
            pull_client_id=world.client_ids["solicitud-afiliacion"],
            answer_client_id=world.client_ids["respuesta-tramite-ccf"],
            password=world.consumer_password,
            nit=world.nit,
            decision="none",
        )
        ccf = SampleCcf(config).start()
        try:
            with httpx.Client(base_url=api_url, timeout=60) as api:
                shared = exchange_journey.share_notification_endpoint(api, world.people["authorized"], world.nit, ccf)
            if shared.get("status") != "AUTHORIZED":
                raise RuntimeError(f"the sample CCF's endpoint was not verified: {shared}")
            for fault in ("none", "flaky"):
                results[fault] = run_phase(api_url, world, ccf, fault, args.count, args.timeout)
                print(json.dumps(results[fault], ensure_ascii=False), flush=True)
        finally:
            ccf.stop()
    finally:
        runtime.stop()
    print(json.dumps({"workdir": str(workdir), **results}, ensure_ascii=False, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
