"""One Lambda execution environment: a long-lived process that imports the handler once and runs it
for each event it reads on stdin (one JSON object per line), answering on its original stdout.

Started by `local.lambdas` as `python -m local.lambda_host` with the function's environment only.
Arguments come in the environment: `_HANDLER` (module.function), `LAMBDA_TASK_ROOT` (code dir) and
`_LOCAL_LAYER_PATHS` (os.pathsep-separated layer `python/` dirs), and `_LOCAL_IAM_POLICY` (the function's
IAM file, when IAM is enforced). The host removes the last two from the environment before the import.

Protocol (JSON lines):
  host -> parent  {"type": "ready"} or {"type": "init_error", "error": {...}} once, after the import
  parent -> host  {"id": ..., "event": {...}, "context": {"aws_request_id": ..., "deadline_ms": ...}}
  host -> parent  {"id": ..., "ok": true, "result": ...} or {"id": ..., "ok": false, "error": {...}}

The handler's prints and logs go to stderr (fd 1 is redirected), so they never mix with the protocol.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools use."""

    def __init__(self, data: dict[str, Any]) -> None:
        name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_name = name
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = data.get("invoked_function_arn", "")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = data.get("aws_request_id", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{name}")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(data.get("deadline_ms", time.time() * 1000 + 3000))

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_exception(exc),
    }


def main() -> None:
    # Ctrl-C reaches the whole process group: the parent runtime stops the workers itself
    # (and a worker whose parent died ends when its stdin closes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    proto_out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)

    # The function's own role, checked on every AWS call (local.iam; off with --no-iam / LOCAL_IAM=off).
    # Installed first, so the benchmark counter below only counts calls that reach AWS.
    from local.iam import guard

    guard.install_if_requested()

    # Benchmarks only (`make bench`): count AWS calls per invocation when BENCH_COUNT_AWS_CALLS names a file.
    from local import instrumentation

    counter = instrumentation.install_if_requested()

    task_root = os.environ["LAMBDA_TASK_ROOT"]
    layers = [p for p in os.environ.pop("_LOCAL_LAYER_PATHS", "").split(os.pathsep) if p]
    # Lambda's sys.path: the code, then the layers, then the runtime (here: the venv's packages).
    # The repository root (needed only to find this module) is removed so handlers cannot import from it.
    repo_paths = {os.path.abspath(p) for p in os.environ.pop("PYTHONPATH", "").split(os.pathsep) if p}
    rest = [p for p in sys.path if p and os.path.abspath(p) not in repo_paths and os.path.abspath(p) != os.getcwd()]
    sys.path[:] = [task_root, *layers, *rest]
    os.chdir(task_root)
    for name in [m for m in sys.modules if m == "local" or m.startswith("local.")]:
        del sys.modules[name]  # this host's own package is not part of the function's world

    module_name, _, func_name = os.environ["_HANDLER"].rpartition(".")
    try:
        handler = instrumentation.instrument(getattr(importlib.import_module(module_name), func_name), counter)
    except BaseException as exc:
        proto_out.write(json.dumps({"type": "init_error", "error": _error(exc)}) + "\n")
        handler = None
    else:
        proto_out.write(json.dumps({"type": "ready"}) + "\n")

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if handler is None:
            reply = {
                "id": request["id"],
                "ok": False,
                "error": {"errorMessage": "handler failed to import", "errorType": "Runtime.ImportModuleError"},
            }
        else:
            try:
                result = handler(request["event"], LambdaContext(request.get("context", {})))
                reply = {"id": request["id"], "ok": True, "result": result}
                json.dumps(reply)
            except BaseException as exc:
                traceback.print_exc()
                reply = {"id": request["id"], "ok": False, "error": _error(exc)}
        proto_out.write(json.dumps(reply, default=str) + "\n")


if __name__ == "__main__":
    main()
