"""What a CCF configures: its own token endpoint's clients, the Ministry's API, its keys and (for tests) faults."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# 400: a permanent refusal; 410: the endpoint is gone for good; flaky: every other notification gets a 503
FAULTS = ("none", "slow", "500", "429", "401", "garbage", "400", "410", "flaky")


@dataclass
class Config:
    # Where this system listens (the notification URL registered as the shared service is <base>/notificaciones).
    host: str = "127.0.0.1"
    port: int = 8090
    # The Ministry's API and the CCF's credentials for it (manual §6: one Client ID per service, one password).
    api_url: str = "http://127.0.0.1:3000"
    pull_client_id: str = ""  # Client ID of "SERVICIO SOLICITUD AFILIACION"
    answer_client_id: str = ""  # Client ID of "Respuesta TramiteCCF"
    password: str = ""  # the consumer password set in the portal
    jwks_url: str = ""  # default: <api_url>/.well-known/jwks.json
    # This CCF's NIT (9 digits): a notification whose signed `aud` is another NIT is refused (decision 0103).
    nit: str = ""
    # How far the signature's `iat` may be from this system's clock.
    max_clock_skew_seconds: int = 300
    # This system's own OAuth 2.0 token endpoint: the credentials the CCF registers for the Ministry.
    token_client_id: str = "ministerio-sat"  # noqa: S105 - a client id
    token_client_secret: str = "cambie-este-secreto-de-ejemplo"  # noqa: S105 - example value, override it
    token_username: str = ""  # set both to allow the password grant too
    token_password: str = ""
    token_lifetime_seconds: int = 300
    # The private key the Ministry encrypts the pull to (PEM file); generated in memory when empty.
    private_key_file: str = ""
    # What to answer: "approve" (ResultadoTramite 1), "reject" (2) or "none" (acknowledge only).
    decision: str = "approve"
    # Simulated faults of the notification receiver, for tests and benchmarks (FAULTS).
    fault: str = "none"
    fault_times: int = -1  # how many notifications get the fault (-1: all)
    slow_seconds: float = 15.0
    # A static JWKS instead of fetching jwks_url (tests).
    jwks: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def pull_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/sat/solicitud-afiliacion"

    @property
    def answer_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/sat/respuesta-tramite-ccf"

    @property
    def token_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/oauth2/token"

    @property
    def ministry_jwks_url(self) -> str:
        return self.jwks_url or f"{self.api_url.rstrip('/')}/.well-known/jwks.json"

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> Config:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown settings in {path}: {sorted(unknown)}")
        raw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**raw)
