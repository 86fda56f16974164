"""sat_common.outbound_http (pinning, no redirects, timeouts, size cap) and sat_common.ccf_oauth_client,
against real servers on 127.0.0.1 with a fake resolver (names that exist in no real DNS)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from sat_common import clock
from sat_common.ccf_oauth_client import Credentials, OAuthSettings, TokenError, fetch_token
from sat_common.outbound_http import OutboundError, SafeHttpClient

NAME = "ccf.pinned.example.co"


class Server:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: tuple[int, bytes, dict[str, str]] = (200, b'{"ok": true}', {})
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                outer.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                if outer.delay:
                    time.sleep(outer.delay)
                status, content, headers = outer.reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(content)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def resolver_to(*addresses: str):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(addresses)

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def client(**kwargs: Any) -> SafeHttpClient:
    options: dict[str, Any] = {"allow_loopback": True, "resolver": resolver_to("127.0.0.1")}
    options.update(kwargs)
    return SafeHttpClient(**options)


# --------------------------------------------------------------------------- pinning
def test_connects_to_the_checked_address_keeping_the_host_name(server):
    resolve = resolver_to("127.0.0.1")
    response = client(resolver=resolve).request("GET", f"http://{NAME}:{server.port}/x")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert response.address == "127.0.0.1"
    assert server.requests[0]["headers"]["Host"] == f"{NAME}:{server.port}"  # the name, not the IP
    assert resolve.calls == [NAME]  # resolved once, by the check; httpx never resolved it (no real DNS)


def test_the_url_is_checked_again_at_request_time():
    with pytest.raises(OutboundError) as caught:
        client(resolver=resolver_to("10.0.0.7")).request("GET", f"https://{NAME}/")
    assert caught.value.reason_code == "UNSAFE_URL" and caught.value.rule == "ADDRESS_PRIVATE"
    assert "privada" in caught.value.message_es
    with pytest.raises(OutboundError) as caught:
        SafeHttpClient(resolver=resolver_to("127.0.0.1")).request("GET", f"https://{NAME}/")
    assert caught.value.rule == "ADDRESS_LOOPBACK"  # allow_loopback is off by default


def test_dns_rebinding_after_the_check_is_not_used(server):
    """The resolver answers a loopback address first, then a private one: the connection uses the first."""
    answers = iter([["127.0.0.1"], ["10.0.0.7"], ["10.0.0.7"]])

    def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    response = client(resolver=rebinding).request("GET", f"http://{NAME}:{server.port}/")
    assert response.status_code == 200 and response.address == "127.0.0.1"


def test_redirects_are_not_followed(server):
    server.reply = (302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    response = client().request("GET", f"http://{NAME}:{server.port}/")
    assert response.status_code == 302 and response.is_redirect and len(server.requests) == 1


def test_response_size_is_capped(server):
    server.reply = (200, b"x" * 300_000, {})
    with pytest.raises(OutboundError) as caught:
        client(max_response_bytes=100_000).request("GET", f"http://{NAME}:{server.port}/")
    assert caught.value.reason_code == "RESPONSE_TOO_LARGE"


def test_read_timeout(server):
    server.delay = 1.0
    with pytest.raises(OutboundError) as caught:
        client(read_timeout=0.2).request("GET", f"http://{NAME}:{server.port}/")
    assert caught.value.reason_code == "TIMEOUT" and caught.value.retryable


def test_connection_refused():
    with pytest.raises(OutboundError) as caught:
        client().request("GET", f"http://{NAME}:1/")
    assert caught.value.reason_code == "CONNECT_FAILED" and "conectarse" in caught.value.message_es


# --------------------------------------------------------------------------- TLS against the host name
def _certificate(name: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.mark.parametrize(("certificate_name", "ok"), [(NAME, True), ("other.example.co", False)])
def test_tls_is_verified_against_the_host_name_not_the_pinned_ip(tmp_path, certificate_name, ok):
    cert_pem, key_pem = _certificate(certificate_name)
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    running = Server(tls=server_context)
    trust = ssl.create_default_context(cadata=cert_pem.decode())
    try:
        safe = client(ssl_context=trust)
        url = f"https://{NAME}:{running.port}/"
        if ok:
            assert safe.request("GET", url).status_code == 200
        else:
            with pytest.raises(OutboundError) as caught:
                safe.request("GET", url)
            assert caught.value.reason_code == "TLS_ERROR" and not caught.value.retryable
    finally:
        running.close()
    assert ipaddress.ip_address("127.0.0.1").is_loopback


# --------------------------------------------------------------------------- OAuth client
def oauth(server: Server, **kwargs: Any) -> OAuthSettings:
    return OAuthSettings(token_url=f"http://{NAME}:{server.port}/token", client_id="mi cliente:1", **kwargs)


def test_client_credentials_with_client_secret_basic(server):
    server.reply = (200, json.dumps({"access_token": "tok-1", "token_type": "Bearer", "expires_in": 120}).encode(), {})
    clock.freeze(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    try:
        token = fetch_token(oauth(server, scope="a b"), Credentials(client_secret="s3cr3t/+="), client())
    finally:
        clock.reset()
    assert token.access_token == "tok-1" and token.token_type == "Bearer"
    assert token.expires_at == int(dt.datetime(2026, 5, 1, tzinfo=dt.UTC).timestamp()) + 120
    assert "tok-1" not in repr(token)
    request = server.requests[0]
    assert parse_qs(request["body"]) == {"grant_type": ["client_credentials"], "scope": ["a b"]}
    basic = base64.b64decode(request["headers"]["Authorization"].removeprefix("Basic ")).decode()
    assert basic == "mi%20cliente%3A1:s3cr3t%2F%2B%3D"  # RFC 6749 §2.3.1: form-urlencoded, then Base64
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_password_grant_when_username_and_password(server):
    server.reply = (200, b'{"access_token": "t", "token_type": "bearer"}', {})
    fetch_token(oauth(server, username="sat"), Credentials(password="clave", client_secret="s"), client())
    form = parse_qs(server.requests[0]["body"])
    assert form == {"grant_type": ["password"], "username": ["sat"], "password": ["clave"]}


@pytest.mark.parametrize(
    ("status", "body", "reason", "retryable"),
    [
        (401, b'{"error": "invalid_client"}', "TOKEN_INVALID_CLIENT", False),
        (401, b"", "TOKEN_INVALID_CLIENT", False),
        (400, b'{"error": "invalid_client"}', "TOKEN_INVALID_CLIENT", False),
        (400, b'{"error": "invalid_grant"}', "TOKEN_INVALID_GRANT", False),
        (400, b'{"error": "invalid_scope"}', "TOKEN_INVALID_SCOPE", False),
        (400, b'{"error": "unsupported_grant_type"}', "TOKEN_UNSUPPORTED_GRANT", False),
        (403, b"nope", "TOKEN_REJECTED", False),
        (429, b"", "TOKEN_RATE_LIMITED", True),
        (500, b"boom", "TOKEN_SERVER_ERROR", True),
        (503, b"", "TOKEN_SERVER_ERROR", True),
        (200, b"<html>", "TOKEN_NOT_JSON", False),
        (200, b"[1, 2]", "TOKEN_NOT_JSON", False),
        (200, b'{"token_type": "bearer"}', "TOKEN_MISSING_ACCESS_TOKEN", False),
        (200, b'{"access_token": "t", "token_type": "mac"}', "TOKEN_TYPE_UNSUPPORTED", False),
        (301, b"", "TOKEN_REDIRECT", False),
    ],
)
def test_token_errors_have_spanish_reasons(server, status, body, reason, retryable):
    server.reply = (status, body, {"Location": "https://elsewhere.example.co/"} if status == 301 else {})
    with pytest.raises(TokenError) as caught:
        fetch_token(oauth(server), Credentials(client_secret="s"), client())
    assert caught.value.reason_code == reason and caught.value.retryable is retryable
    assert caught.value.message_es and caught.value.message_es != "s"


def test_token_url_unsafe_and_unreachable():
    with pytest.raises(TokenError) as caught:
        fetch_token(
            OAuthSettings(token_url="https://10.0.0.1/token", client_id="c"), Credentials(client_secret="s"), client()
        )
    assert caught.value.reason_code == "TOKEN_URL_UNSAFE" and "ADDRESS_PRIVATE" in caught.value.message_es
    with pytest.raises(TokenError) as caught:
        fetch_token(
            OAuthSettings(token_url=f"http://{NAME}:1/token", client_id="c"), Credentials(client_secret="s"), client()
        )
    assert caught.value.reason_code == "TOKEN_UNREACHABLE" and caught.value.retryable


def test_expires_in_default_and_cap(server):
    server.reply = (200, b'{"access_token": "t", "token_type": "Bearer", "expires_in": "999999"}', {})
    token = fetch_token(oauth(server), Credentials(client_secret="s"), client())
    assert token.expires_at - clock.epoch() <= 24 * 3600
    server.reply = (200, b'{"access_token": "t", "token_type": "Bearer"}', {})
    token = fetch_token(oauth(server), Credentials(client_secret="s"), client())
    assert 290 <= token.expires_at - clock.epoch() <= 300


def test_credentials_repr_hides_values():
    text = repr(Credentials(password="p4ss", client_secret="s3cr", public_key="-----BEGIN"))
    assert "p4ss" not in text and "s3cr" not in text and "BEGIN" not in text
