"""Helpers for tests of the local runtime: free ports and a throw-away moto server."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server(host: str = "127.0.0.1") -> Iterator[str]:
    """A moto server on a free port; yields its endpoint URL. State lives until the block ends."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port(host)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    endpoint = f"http://{host}:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    # moto's backends are per process: start every server from a clean state.
    httpx.post(f"{endpoint}/moto-api/reset", timeout=10)
    try:
        yield endpoint
    finally:
        server.stop()
