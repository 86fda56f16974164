"""moto as the embedded AWS, with the per-request atomicity the real services give.

DynamoDB applies each request (a whole transaction included) atomically, and so do the other
services whose state the functions change (Cognito, Secrets Manager, KMS, SES, IAM, STS). moto's
backends for them hold no locks: its server handles requests on threads, so two conditional writes
can both pass their condition, and a Query can iterate a table while a Put changes it
("dictionary changed size during iteration"). Here each request to one of those services runs alone
(one lock per service), in the server (`MotoServer`, the local runtime) and in-process
(`serialize_in_process`, the integration tests' `mock_aws`). The conditions still decide who wins.

SQS and S3 are left concurrent: their moto backends lock their own state, and an SQS long poll must
not hold up every other request.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

SERIALIZED_SERVICES = frozenset({"dynamodb", "cognito-idp", "secretsmanager", "kms", "ses", "iam", "sts"})
_LOCKS = {service: threading.RLock() for service in SERIALIZED_SERVICES}  # re-entrant: moto may call itself
# botocore's event names use the service id ("before-send.cognito-identity-provider.AdminGetUser").
_EVENT_NAMES = {"cognito-identity-provider": "cognito-idp", "secrets-manager": "secretsmanager"}
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")


def lock_for(service: str | None) -> threading.RLock | None:
    """The lock of a service, by its signing name or its botocore event name."""
    return _LOCKS.get(_EVENT_NAMES.get(service or "", service or ""))


def service_of_request(environ: dict[str, Any]) -> str | None:
    """The signing service of a SigV4 request (its credential scope); None for unsigned requests."""
    match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


class SerializedRequests:
    """WSGI middleware: one request at a time per serialized service, the response built inside the lock."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        lock = lock_for(service_of_request(environ))
        if lock is None:
            return self.app(environ, start_response)
        with lock:
            return list(self.app(environ, start_response))


class MotoServer:
    """moto's server on a thread (as `moto.server.ThreadedMotoServer`), with `SerializedRequests` in front."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        from local.cognito_app_clients import CognitoAppClientRules  # what moto skips on app clients (0027)

        app = SerializedRequests(CognitoAppClientRules(DomainDispatcherApplication(create_backend_app)))
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def wait_until_up(self, timeout: float = 30.0) -> None:
        """Up, and reset to an empty account (moto's backends are per process)."""
        import time

        import httpx

        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.post(f"{self.url}/moto-api/reset", timeout=10)
                return
            except httpx.HTTPError as exc:
                if time.monotonic() > deadline:
                    raise OSError(f"moto did not answer on {self.url} within {timeout:.0f} s: {exc}") from exc
                time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()


def serialize_in_process() -> None:
    """The same guarantee for moto's in-process mock (`mock_aws`): wrap the stub botocore sends through."""
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__
    if getattr(original, "_serialized", False):
        return

    def call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        # event_name is "before-send.<service id>.<Operation>".
        parts = event_name.split(".")
        lock = lock_for(parts[1] if len(parts) > 1 else None)
        if lock is None:
            return original(self, event_name, request, **kwargs)
        with lock:
            return original(self, event_name, request, **kwargs)

    call._serialized = True  # type: ignore[attr-defined]
    BotocoreStubber.__call__ = call  # type: ignore[method-assign]
