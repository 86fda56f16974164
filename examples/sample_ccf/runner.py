"""Start and stop the sample CCF in a thread (werkzeug's threaded server): for the CLI, the demo and tests."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, RSAKey
from werkzeug.serving import BaseWSGIServer, make_server

from examples.sample_ccf.config import Config
from examples.sample_ccf.ministry import MinistryClient, MinistryJwks
from examples.sample_ccf.server import State, create_app


def load_private_key(path: str) -> RSAKey | ECKey:
    pem = Path(path).read_bytes()
    return ECKey.import_key(pem) if b"EC PRIVATE KEY" in pem or _is_ec(pem) else RSAKey.import_key(pem)


def _is_ec(pem: bytes) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return isinstance(load_pem_private_key(pem, password=None), ec.EllipticCurvePrivateKey)


class SampleCcf:
    """`start()` serves on config.host:config.port (0: a free port); `stop()` takes the endpoint down."""

    def __init__(self, config: Config) -> None:
        if config.host in ("127.0.0.1", "localhost", "::1"):
            # Authlib refuses OAuth over plain http unless told; only ever for a loopback development server.
            os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
        self.config = config
        # Oldest first; the Ministry encrypts to the newest key registered, so a rotation adds a key here, then
        # registers it, then removes the old one from both places (decision 0102).
        self.private_keys: list[RSAKey | ECKey] = [
            load_private_key(config.private_key_file) if config.private_key_file else RSAKey.generate_key(2048)
        ]
        self.state = State(fault=config.fault, fault_left=config.fault_times)
        self.ministry = MinistryClient(config, self.private_keys)
        self.app = create_app(config, self.ministry, MinistryJwks(config), self.state)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def private_key(self) -> RSAKey | ECKey:
        """The newest private key."""
        return self.private_keys[-1]

    @property
    def public_key_pem(self) -> str:
        """What the CCF registers as the shared service's public key (the Ministry encrypts the pull to it)."""
        return str(self.private_key.as_pem(private=False).decode())

    def add_key(self) -> str:
        """A new key pair for a rotation: decrypts at once; returns the public PEM to register."""
        self.private_keys.append(RSAKey.generate_key(2048))
        return self.public_key_pem

    def drop_key(self, kid: str) -> None:
        """After the key was deleted at the Ministry: forget the private key whose thumbprint is `kid`."""
        self.private_keys[:] = [key for key in self.private_keys if key.thumbprint() != kid]

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.config.port}"

    @property
    def notification_url(self) -> str:
        return f"{self.base_url}/notificaciones"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/oauth2/token"

    def start(self) -> SampleCcf:
        self._server = make_server(self.config.host, self.config.port, self.app, threaded=True)
        self.config.port = self._server.server_port  # a free port when 0 was asked for
        self._thread = threading.Thread(target=self._server.serve_forever, name="sample-ccf", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def set_fault(self, fault: str, times: int = -1) -> None:
        with self.state.lock:
            self.state.fault, self.state.fault_left = fault, times

    def summary(self) -> dict[str, Any]:
        return self.state.summary()

    def __enter__(self) -> SampleCcf:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
