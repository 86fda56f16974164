"""The portal's figures per page: weight (bytes of the first visit, the HTML with its stylesheet and fonts) and
the portal's server time for the HTML (docs/benchmarks.md, "The portal's pages").

Runs the walk of scripts/portal_screenshots.py (the local runtime, the state built over the API, each page as
the right person in Debian's Chromium). On each page: the weight from the browser's resource timing (as
tests/portal/browser_support.py `check` counts it), then, with the page's session cookie, `--warmup` GETs of
the page's address and `--requests` timed ones (sequential, httpx, no browser, paced under the web ACL's rate
rule): the median and the slowest. The time is what the client sees of the local runtime's portal (API Gateway
emulation, the portal function and the API calls it makes), not a deployed stage's.

Usage: python scripts/bench_portal.py [--requests 20] [--warmup 3]   (make bench-portal)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import portal_screenshots as walk

# at most ~3 requests a second: the web ACLs' rate rule (1,000 per address and 5 minutes, emulated locally) would
# otherwise answer 403 part-way through the walk
PACE = 0.35
WEIGHT = """() => performance.getEntries()
  .filter(e => e.entryType === 'navigation' || e.entryType === 'resource')
  .map(e => ({kind: e.entryType, bytes: Math.max(e.transferSize || 0, e.encodedBodySize || 0)}))"""


def measure(requests: int, warmup: int, rows: list[dict[str, Any]]) -> walk.Visit:
    timed: set[str] = set()

    def visit(page: Any, name: str, caption: str) -> None:
        page.wait_for_load_state()
        entries = page.evaluate(WEIGHT)
        html = sum(e["bytes"] for e in entries if e["kind"] == "navigation")
        total = sum(e["bytes"] for e in entries)
        row: dict[str, Any] = {"name": name, "path": httpx.URL(page.url).path, "html": html, "total": total}
        # the server time of each address once (several captures can share one, e.g. /registro's steps)
        if page.url not in timed:
            timed.add(page.url)
            jar = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
            headers = {"Cookie": jar} if jar else {}
            with httpx.Client(timeout=120, headers={"User-Agent": "sat-ccf-bench-portal"}) as client:
                for _ in range(warmup):
                    client.get(page.url, headers=headers)
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    answer = client.get(page.url, headers=headers)
                    times.append((time.perf_counter() - started) * 1000)
                    time.sleep(max(0.0, PACE - (time.perf_counter() - started)))
                row |= {"status": answer.status_code, "median": statistics.median(times), "max": max(times)}
        rows.append(row)
        print(f"  {name}: {total:,} bytes", file=sys.stderr)

    return visit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with walk.runtime() as info, walk.chromium() as browser:
        walk.tour(info, browser, measure(args.requests, args.warmup, rows))
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, ", end="")
    print(f"{os.cpu_count()} cores; {args.requests} timed GETs per address after {args.warmup}")
    print()
    print("| page | path | HTML bytes | with assets (first visit) | server time median ms | slowest ms |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows:
        timing = f"{row['median']:.0f} | {row['max']:.0f}" if "median" in row else "(same address) | "
        status = "" if row.get("status", 200) == 200 else f" ({row['status']})"
        print(f"| {row['name']} | `{row['path']}`{status} | {row['html']:,} | {row['total']:,} | {timing} |")
    heaviest = max(rows, key=lambda r: r["total"])
    print(f"\nheaviest: {heaviest['name']} {heaviest['total']:,} bytes; pages: {len(rows)}")


if __name__ == "__main__":
    main()
