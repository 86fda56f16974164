"""`python -m local` for the benchmarks: the same runtime, with BENCH_COUNT_AWS_CALLS handed to every function process.

The local runtime gives its function processes only the template's environment (as Lambda does), so this
launcher adds the one variable `local.instrumentation` reads. Usage: bench_runtime.py <counts.jsonl> <local args...>
"""

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import local.lambdas  # noqa: E402
from local import instrumentation  # noqa: E402
from local.runtime import main  # noqa: E402


def run() -> int:
    counts = str(Path(sys.argv[1]).resolve())
    plain = local.lambdas.worker_environment

    def counted_environment(*args: Any, **kwargs: Any) -> dict[str, str]:
        return {**plain(*args, **kwargs), instrumentation.ENV: counts}

    local.lambdas.worker_environment = counted_environment
    return main(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(run())
