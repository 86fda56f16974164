"""`make bench-import`: `python -m ops reference import` of a synthetic extract against a fresh local runtime
(docs/benchmarks.md, "Reference import"). Figures, never assertions.

    python scripts/bench_import.py [--people 100000] [--companies 200]

Prints the machine's load (`uptime`) before and after, the import's summary (rows, items written, requests,
write units from the item sizes, seconds, items/s while writing) and the wall time of the command.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from local.testing import free_port  # noqa: E402
from scripts.synthetic_reference import write_extract  # noqa: E402


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sat-ccf-bench-import-") as scratch:
        folder = Path(scratch)
        people, companies = write_extract(folder / "extract", args.people, args.companies)
        workdir = folder / "runtime"
        command = [sys.executable, "-m", "local", "--no-seed", "--quiet", "--workdir", str(workdir)]
        command += ["--moto-port", str(free_port()), "--api-port", str(free_port())]
        runtime = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 300
            while not (workdir / "ready.json").exists():
                if runtime.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the local runtime did not start")
                time.sleep(0.2)
            print(f"load before: {uptime()}")
            started = time.monotonic()
            done = subprocess.run(
                [
                    *(sys.executable, "-m", "ops", "--quiet", "--local", str(workdir), "reference", "import"),
                    *(str(people), str(companies), "--json"),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - started
            print(f"load after:  {uptime()}")
            if done.returncode != 0:
                raise SystemExit(f"ops exited {done.returncode}: {done.stderr}")
            report = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"reference import of {report['rows']} rows ({report['people']} people, {report['companies']} "
                f"companies): {report['items_written']} items in {report['requests']} BatchWriteItem requests, "
                f"{report['retried_items']} retried"
            )
            print(
                f"  write units (item sizes): {report['write_units']:.0f}; validation + writes + populations "
                f"{report['seconds']:.1f} s, writes {report['write_seconds']:.1f} s = "
                f"{report['items_per_second']:.0f} items/s; command wall time {wall:.1f} s"
            )
        finally:
            runtime.send_signal(signal.SIGTERM)
            runtime.wait(timeout=60)


if __name__ == "__main__":
    main()
