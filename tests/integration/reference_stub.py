"""A reference source over HTTP for the tests (http.server on 127.0.0.1): the contract of
docs/reference-sources.md, with switchable failures."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "stub-reference-token"


@dataclass
class StubSource:
    people: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    mode: str = "ok"  # ok | error500 | slow | garbage | throttled | unauthorized | other-person
    slow_seconds: float = 5.0
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)
    base_url: str = ""


@contextmanager
def stub_source(
    people: list[dict[str, Any]] | None = None, companies: list[dict[str, Any]] | None = None
) -> Iterator[StubSource]:
    stub = StubSource(
        people={(p["documentType"], p["documentNumber"]): p for p in people or []},
        companies={c["nit"]: c for c in companies or []},
    )

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
            data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            stub.requests.append((self.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}" or stub.mode == "unauthorized":
                return self._send(401, {"error": "unauthorized"})
            if stub.mode == "error500":
                return self._send(500, {"error": "boom"})
            if stub.mode == "throttled":
                return self._send(429, {"error": "slow down"}, {"Retry-After": "17"})
            if stub.mode == "slow":
                time.sleep(stub.slow_seconds)
            if stub.mode == "garbage":
                return self._send(200, b"<html>not json</html>")
            parts = self.path.removeprefix("/v1").strip("/").split("/")
            found: dict[str, Any] | None = None
            if len(parts) == 3 and parts[0] == "people":
                found = stub.people.get((parts[1], parts[2]))
                if found is not None and stub.mode == "other-person":
                    found = {**found, "documentNumber": "1" + found["documentNumber"]}
            elif len(parts) == 2 and parts[0] == "companies":
                found = stub.companies.get(parts[1])
            if found is None:
                return self._send(404, {"error": "not found"})
            return self._send(200, found)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
