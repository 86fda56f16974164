"""The CCF's HTTP side: its own OAuth 2.0 token endpoint (Authlib) and the notification receiver.

POST /oauth2/token      client_credentials (and password, when configured); client_secret_basic
POST /notificaciones    the Ministry's signed notification (Bearer token from /oauth2/token)
GET  /_sample/state     what this sample received and did (for people and tests)
POST /_sample/fault     {"fault": "500", "times": 2}: simulate trouble (for tests)
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenValidator
from flask import Flask, jsonify, request

from examples.sample_ccf.config import FAULTS, Config
from examples.sample_ccf.ministry import SIGNATURE_HEADER, MinistryClient, MinistryJwks, SignatureError, answer_for


# --------------------------------------------------------------------------- OAuth 2.0 (Authlib)
@dataclass
class Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    grant_types: tuple[str, ...]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class Token(TokenMixin):  # type: ignore[misc]
    access_token: str
    client_id: str
    scope: str
    issued_at: float
    expires_in: int

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False


@dataclass
class User:
    username: str

    def get_user_id(self) -> str:
        return self.username


@dataclass
class State:
    """What the sample saw and did; `GET /_sample/state` shows it."""

    notifications: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    pulled: dict[str, dict[str, Any]] = field(default_factory=dict)
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    tokens: dict[str, Token] = field(default_factory=dict)
    seen_keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # Idempotency-Key -> our acknowledgement
    fault: str = "none"
    fault_left: int = -1
    flaky_count: int = 0  # the "flaky" fault fails the odd-numbered notifications
    lock: threading.Lock = field(default_factory=threading.Lock)

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "notifications": list(self.notifications),
                "refused": list(self.refused),
                "pulled": {numero: {"encrypted": info["encrypted"]} for numero, info in self.pulled.items()},
                "answered": dict(self.answered),
                "errors": list(self.errors),
                "fault": self.fault,
                "faultLeft": self.fault_left,
            }


def create_app(config: Config, ministry: MinistryClient, jwks: MinistryJwks, state: State) -> Flask:
    app = Flask("sample_ccf")
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {
        "client_credentials": config.token_lifetime_seconds,
        "password": config.token_lifetime_seconds,
    }
    grant_types = ["client_credentials"] + (["password"] if config.token_username else [])
    client = Client(config.token_client_id, config.token_client_secret, tuple(grant_types))

    def query_client(client_id: str) -> Client | None:
        return client if client_id == client.client_id else None

    def save_token(token: dict[str, Any], req: Any) -> None:
        with state.lock:
            state.tokens[token["access_token"]] = Token(
                token["access_token"], req.client.client_id, token.get("scope", ""), time.time(), token["expires_in"]
            )

    class PasswordGrant(grants.ResourceOwnerPasswordCredentialsGrant):  # type: ignore[misc]
        def authenticate_user(self, username: str, password: str) -> User | None:
            if config.token_username and secrets.compare_digest(
                f"{username}\0{password}".encode(), f"{config.token_username}\0{config.token_password}".encode()
            ):
                return User(username)
            return None

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(grants.ClientCredentialsGrant)
    if config.token_username:
        server.register_grant(PasswordGrant)

    class Validator(BearerTokenValidator):  # type: ignore[misc]
        def authenticate_token(self, token_string: str) -> Token | None:
            with state.lock:
                return state.tokens.get(token_string)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Validator())

    @app.post("/oauth2/token")
    def issue_token() -> Any:
        return server.create_token_response()

    def fault_response() -> Any:
        with state.lock:
            fault = state.fault
            if fault == "none" or state.fault_left == 0:
                return None
            if state.fault_left > 0:
                state.fault_left -= 1
            state.flaky_count += 1
            flaky_fails = state.flaky_count % 2 == 1
        if fault == "flaky":
            return (jsonify({"error": "simulated"}), 503) if flaky_fails else None
        if fault in ("400", "410"):
            return jsonify({"error": "simulated"}), int(fault)
        if fault == "slow":
            time.sleep(config.slow_seconds)
            return None
        if fault == "500":
            return jsonify({"error": "simulated"}), 500
        if fault == "429":
            return jsonify({"error": "simulated"}), 429, {"Retry-After": "1"}
        if fault == "401":
            return jsonify({"error": "invalid_token"}), 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return "<html>gateway says hi</html>", 200, {"Content-Type": "text/html"}  # garbage

    @app.post("/notificaciones")
    def receive() -> Any:
        faulty = fault_response()
        if faulty is not None:
            return faulty
        token = require_oauth.acquire_token()  # 401 from Authlib when missing, unknown or expired
        body = request.get_data()
        try:
            jwks.verify(
                body,
                request.headers.get(SIGNATURE_HEADER, ""),
                nit=config.nit,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except SignatureError as error:
            with state.lock:
                state.refused.append({"reason": str(error), "client": token.client_id})
            return jsonify({"error": "invalid_signature", "error_description": str(error)}), 400
        notification = request.get_json(force=True)
        numero = str(notification["numero_transaccion"])
        key = request.headers["Idempotency-Key"]  # = the signed jti: a retry (same key) gets the same answer
        with state.lock:
            seen = state.seen_keys.get(key)
            if seen is None:
                seen = {"numero_transaccion": numero, "estado": "RECIBIDA", "radicado": f"CCF-{numero[-6:]}"}
                state.seen_keys[key] = seen
                state.notifications.append({**notification, "idempotencyKey": key})
                first = True
            else:
                first = False
        # A test notification (codigo_novedad PRUEBA, decision 0108) is acknowledged, never pulled: no trámite.
        if first and config.decision != "none" and notification.get("codigo_novedad") != "PRUEBA":
            threading.Thread(target=process, args=(notification, seen["radicado"]), daemon=True).start()
        return jsonify(seen), 200

    def process(notification: dict[str, Any], radicado: str) -> None:
        """After acknowledging: pull the request, decrypt it, answer (a real CCF would queue this work)."""
        numero = str(notification["numero_transaccion"])
        try:
            document, encrypted = ministry.pull(numero, notification.get("url"))
            with state.lock:
                state.pulled[numero] = {"encrypted": encrypted, "document": document}
            response = ministry.answer(answer_for(document, config.decision, radicado))
            with state.lock:
                state.answered[numero] = {"status": response.status_code, "body": response.json()}
        except Exception as error:  # the sample reports and goes on
            with state.lock:
                state.errors.append(f"{numero}: {type(error).__name__}: {error}")

    @app.get("/_sample/state")
    def show_state() -> Any:
        return jsonify(state.summary())

    @app.post("/_sample/fault")
    def set_fault() -> Any:
        if request.remote_addr not in ("127.0.0.1", "::1"):
            return jsonify({"error": "loopback only"}), 403
        body = request.get_json(force=True)
        fault = str(body.get("fault", "none"))
        if fault not in FAULTS:
            return jsonify({"error": f"fault must be one of {FAULTS}"}), 422
        with state.lock:
            state.fault, state.fault_left = fault, int(body.get("times", -1))
        return jsonify({"fault": fault, "times": state.fault_left})

    return app
