"""The total deadline of every outbound call (decision 0054): a partner server that dribbles its answer one
byte at a time, each byte well within the per-read timeout, must not hold the caller past the deadline.

No timing assertion: the call runs in a thread and must come back (with an error, not a hang) within a bound
far above the configured deadline; without the deadline it would wait for as long as the server dribbles.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sat_common.ccf_oauth_client import Credentials, OAuthSettings, TokenError, fetch_token
from sat_common.outbound_http import OutboundError, SafeHttpClient

NAME = "ccf.dribble.example.co"
GENEROUS_BOUND_SECONDS = 60.0  # >> the 1.5 s deadline; the server keeps dribbling for longer than this


class DribblingServer:
    """Accepts connections and sends a status line, then one header byte every 0.2 s until stopped."""

    def __init__(self, phase: str) -> None:
        self.phase = phase  # "headers": dribble header bytes; "body": complete headers, dribble the body
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._dribble, args=(conn,), daemon=True).start()

    def _dribble(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request
                if self.phase == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                else:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not self.stop.wait(0.2):
                    conn.sendall(b"a")
            except OSError:
                return  # the client went away: what the deadline is for

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture(params=["headers", "body"])
def dribbling(request: pytest.FixtureRequest) -> Iterator[DribblingServer]:
    server = DribblingServer(request.param)
    yield server
    server.close()


def _client() -> SafeHttpClient:
    return SafeHttpClient(
        allow_loopback=True,
        resolver=lambda host, port: ["127.0.0.1"],
        connect_timeout=1.0,
        read_timeout=1.0,  # each dribbled byte arrives well within it
        total_timeout=1.5,
    )


def _outcome_within_bound(call: Callable[[], Any]) -> BaseException | Any:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as error:  # handed back to the test
            result["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GENEROUS_BOUND_SECONDS)
    assert not thread.is_alive(), f"the call still hangs after {GENEROUS_BOUND_SECONDS} s: no total deadline"
    return result.get("error", result.get("value"))


def test_a_server_that_dribbles_gets_a_timeout_not_a_hang(dribbling: DribblingServer) -> None:
    outcome = _outcome_within_bound(lambda: _client().request("GET", f"http://{NAME}:{dribbling.port}/n"))
    assert isinstance(outcome, OutboundError), outcome
    assert outcome.reason_code == "TIMEOUT" and outcome.retryable


def test_the_oauth_client_keeps_the_same_deadline(dribbling: DribblingServer) -> None:
    oauth = OAuthSettings(token_url=f"http://{NAME}:{dribbling.port}/oauth2/token", client_id="minsalud")
    outcome = _outcome_within_bound(lambda: fetch_token(oauth, Credentials(client_secret="s"), _client()))
    assert isinstance(outcome, TokenError), outcome
    assert outcome.reason_code == "TOKEN_TIMEOUT" and outcome.retryable
