"""Benchmark instrumentation of a Lambda host process: AWS calls and duration per invocation (local only).

Off unless the host's environment has BENCH_COUNT_AWS_CALLS=<path of a JSON-lines file>. Then every
botocore client the function creates gets a `before-call` event handler that counts the calls per
`service.Operation`, and after each invocation the host appends one line to that file:

  {"function": ..., "method": ..., "resource": ..., "source": ..., "ms": ..., "calls": {"dynamodb.GetItem": 1}}

(plus "event": the event itself, the first time a process sees each route or source).

Used by `scripts/bench.py` (docs/benchmarks.md); never by the functions themselves nor by the CDK app.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

ENV = "BENCH_COUNT_AWS_CALLS"


class CallCounter:
    """Counts botocore API calls as `service.Operation` (from the `before-call.<service>.<Operation>` event)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def on_before_call(self, event_name: str = "", **_: Any) -> None:
        parts = event_name.split(".")
        key = ".".join(parts[1:3]) if len(parts) >= 3 else event_name
        with self._lock:
            self.calls[key] += 1

    def take(self) -> dict[str, int]:
        with self._lock:
            taken = dict(self.calls)
            self.calls.clear()
        return taken

    def install(self) -> None:
        """Hook every botocore client created from now on (any session, boto3's default one included)."""
        from botocore.session import Session

        original = Session.create_client
        if getattr(original, "_bench_counted", False):
            return
        counter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            client.meta.events.register("before-call", counter.on_before_call)
            return client

        create_client._bench_counted = True  # type: ignore[attr-defined]
        Session.create_client = create_client  # type: ignore[method-assign]


def describe(event: Any) -> dict[str, Any]:
    """What an invocation was for: the API route, or the event source of a queue batch / authorizer."""
    if isinstance(event, dict):
        if "httpMethod" in event:
            return {"method": event.get("httpMethod"), "resource": event.get("resource") or event.get("path")}
        if event.get("type") in ("TOKEN", "REQUEST"):
            return {"source": "authorizer"}
        records = event.get("Records")
        if isinstance(records, list) and records:
            return {"source": records[0].get("eventSource", "records"), "records": len(records)}
    return {"source": "direct"}


def wrap(handler: Callable[[Any, Any], Any], path: str, counter: CallCounter) -> Callable[[Any, Any], Any]:
    """The handler, recording one JSON line per invocation in `path` (O_APPEND: one write per line)."""
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    seen: set[str] = set()

    def counted(event: Any, context: Any) -> Any:
        counter.take()
        started = time.perf_counter()
        try:
            return handler(event, context)
        finally:
            line = {
                "function": function,
                **describe(event),
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "calls": counter.take(),
            }
            key = json.dumps(describe(event), sort_keys=True)
            if key not in seen:  # the first event of each kind, replayed by the cold-start figure
                seen.add(key)
                line["event"] = event
            data = (json.dumps(line) + "\n").encode()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    return counted


def instrument(handler: Callable[[Any, Any], Any], counter: CallCounter | None) -> Callable[[Any, Any], Any]:
    """`handler` wrapped when the environment asks for it (the counter was installed before the import)."""
    path = os.environ.get(ENV)
    if not path or counter is None:
        return handler
    return wrap(handler, path, counter)


def install_if_requested() -> CallCounter | None:
    if not os.environ.get(ENV):
        return None
    counter = CallCounter()
    counter.install()
    return counter
