"""One logger, tracer and metrics object per process, named after the function's service.

Tracing costs nothing when it is off (decision 0116): Powertools' `Tracer()` imports the X-Ray SDK even when
disabled (outside Lambda the SDK's recorder also builds a botocore client), and its `patch_all` imports every
library X-Ray can patch (httpx, botocore's client machinery, sqlite3…) during the cold start. Here the Tracer is
built only when tracing is on (Lambda with active tracing), and botocore / httpx are patched when their first
client is created (`trace_library`, called by sat_common.aws and sat_common.outbound_http), so every AWS and
partner call still has its subsegment.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics()


def tracing_enabled() -> bool:
    # Powertools' own rule: off with POWERTOOLS_TRACE_DISABLED, and outside Lambda (tests, local runtime).
    return not Tracer._is_tracer_disabled()


class LazyTracer:
    """The parts of Powertools' Tracer this project uses, building the real Tracer only when tracing is on."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None
        self._patched: set[str] = set()
        self._lock = threading.Lock()

    def _real(self) -> Tracer:
        with self._lock:
            if self._tracer is None:
                self._tracer = Tracer(auto_patch=False)
            return self._tracer

    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Any:
        """Powertools' `capture_lambda_handler` (a `## handler` subsegment annotated ColdStart and Service) when
        tracing is on; the handler itself when it is off."""
        if lambda_handler is None:
            return functools.partial(
                self.capture_lambda_handler, capture_response=capture_response, capture_error=capture_error
            )
        if not tracing_enabled():
            return lambda_handler
        return self._real().capture_lambda_handler(
            lambda_handler, capture_response=capture_response, capture_error=capture_error
        )

    def trace_library(self, module: str) -> None:
        """Patch `module` ("botocore", "httpx") for X-Ray subsegments, once, if tracing is on."""
        if module in self._patched or not tracing_enabled():
            return
        tracer = self._real()
        with self._lock:
            if module not in self._patched:
                tracer.patch([module])
                self._patched.add(module)


tracer = LazyTracer()
trace_library = tracer.trace_library
