"""Schemathesis over the running local runtime: every operation of its /openapi.json, per role.

Used by the short run in `make test` (tests/fuzz/test_fuzz.py) and the full one (`make fuzz`, same test
with FUZZ_EXAMPLES=100). Each (role, operation, generation mode) gets its own Hypothesis run with a fixed
seed and derandomized generation, so a run is repeatable; failures are collected (not shrunk) and
reported together with the figures.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import requests
import schemathesis
import schemathesis.checks
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup

# Checks whose failures mean the answer does not match the documented contract.
SCHEMA_CHECKS = frozenset(
    {
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    }
)
SERVER_ERROR_CHECK = "not_a_server_error"

# Checks left out of "all checks", each for a documented, deliberate behaviour (see docs/fuzzing.md).
EXCLUDED = frozenset(
    {
        # Schema-valid data that breaks a business rule is rejected by design: POST /registrations of a person
        # the reference sources do not know → 422 (the same 422 as wrong data), POST /password-setup with a
        # random token → 400, POST /oauth2/token without a form (its body is not in the document) → 400.
        # This check accepts only 2xx/3xx/401/403/404/409/429 for schema-valid input: it flags the rules.
        "positive_data_acceptance",
        # Needs a stateful scenario (create → read → delete) recorder, which this per-operation run has not.
        "use_after_free",
        "ensure_resource_availability",
        "object_level_authorization",
    }
)


@dataclass(frozen=True)
class Role:
    name: str
    headers: dict[str, str]
    # Which security schemes this role's credentials answer: None means "anonymous: every operation".
    schemes: frozenset[str] | None = None
    # Leave out the Cognito-protected operations (the short run leaves those 401s to the full one).
    skip_cognito: bool = False
    # Only the operations under this path (the short run keeps the Ministry to its /admin routes).
    prefix: str = "/"

    def applies_to(self, operation: Any) -> bool:
        if not operation.path.startswith(self.prefix):
            return False
        security = operation.definition.raw.get("security") or []
        if self.skip_cognito:
            return not any("cognito" in requirement for requirement in security)
        if self.schemes is None:
            return True
        return any(scheme in self.schemes for requirement in security for scheme in requirement)


@dataclass
class Finding:
    role: str
    operation: str
    mode: str
    check: str
    status: int | None
    title: str
    curl: str

    def key(self) -> tuple[str, str, str, int | None]:
        return (self.operation, self.check, self.role, self.status)


@dataclass
class Report:
    examples: int
    operations: set[str] = field(default_factory=set)
    cases: Counter[str] = field(default_factory=Counter)  # per role
    statuses: Counter[int] = field(default_factory=Counter)
    findings: dict[tuple[str, str, str, int | None], Finding] = field(default_factory=dict)
    occurrences: Counter[tuple[str, str, str, int | None]] = field(default_factory=Counter)
    unsatisfiable: set[str] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for key, n in self.occurrences.items() if key[1] == SERVER_ERROR_CHECK)

    @property
    def schema_violations(self) -> int:
        return sum(n for key, n in self.occurrences.items() if key[1] in SCHEMA_CHECKS)

    @property
    def other_failures(self) -> int:
        return sum(n for key, n in self.occurrences.items() if key[1] not in SCHEMA_CHECKS | {SERVER_ERROR_CHECK})

    def figures(self) -> str:
        roles = ", ".join(f"{role} {count}" for role, count in sorted(self.cases.items()))
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        lines = [
            f"schemathesis {schemathesis.__version__}: {self.examples} examples per operation, mode and role",
            f"operations covered: {len(self.operations)} (without a negative case, nothing to negate: "
            f"{len(self.unsatisfiable)})",
            f"cases run: {sum(self.cases.values())} ({roles}) in {self.seconds:.1f} s",
            f"statuses: {statuses}",
            f"5xx found: {self.server_errors}",
            f"schema violations: {self.schema_violations}",
            f"other check failures: {self.other_failures}",
        ]
        for key, finding in sorted(self.findings.items(), key=lambda item: item[0][:2]):
            lines.append(
                f"  [{finding.check}] {finding.operation} as {finding.role} ({finding.mode}) → {finding.status} "
                f"×{self.occurrences[key]}: {finding.title}\n    {finding.curl}"
            )
        return "\n".join(lines)


def all_checks() -> list[Any]:
    schemathesis.checks.load_all_checks()
    registry = schemathesis.checks.CHECKS
    return [registry.get_one(name) for name in registry.get_all_names() if name not in EXCLUDED]


def load_schema(api_url: str) -> Any:
    # Fetched here and loaded as a document: schemathesis' from_url leaves out the operation that serves the
    # schema itself (GET /openapi.json), which is an operation of this API like any other.
    document = httpx.get(f"{api_url}/openapi.json", timeout=120)
    document.raise_for_status()
    schema = schemathesis.openapi.from_dict(document.json())
    schema.config.update(base_url=api_url)
    return schema


def run(
    api_url: str,
    roles: Iterable[Role],
    *,
    examples: int,
    fuzz_seed: int = 20260701,
    modes: Iterable[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    progress: str | None = None,
) -> Report:
    schema = load_schema(api_url)
    checks = all_checks()
    report = Report(examples=examples)
    operations = [result.ok() for result in schema.get_all_operations()]
    started = time.monotonic()
    session = requests.Session()
    for role in roles:
        for operation in operations:
            if not role.applies_to(operation):
                continue
            report.operations.add(operation.label)
            for mode in modes:
                _fuzz_one(operation, mode, role, api_url, session, checks, examples, fuzz_seed, report)
            if progress:
                with open(progress, "a", encoding="utf-8") as out:
                    out.write(
                        f"{role.name} {operation.label}: {report.cases[role.name]} cases so far, "
                        f"{report.server_errors} 5xx, {report.schema_violations} schema violations, "
                        f"{report.other_failures} other\n"
                    )
    report.seconds = time.monotonic() - started
    return report


def _fuzz_one(
    operation: Any,
    mode: GenerationMode,
    role: Role,
    api_url: str,
    session: requests.Session,
    checks: list[Any],
    examples: int,
    fuzz_seed: int,
    report: Report,
) -> None:
    @seed(fuzz_seed)
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is collected, not raised
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def test(case: Any) -> None:
        headers = dict(role.headers)
        try:
            response = case.call(base_url=api_url, session=session, headers=headers, timeout=120)
        except requests.RequestException as exc:  # the runtime dropped the connection: as bad as a 5xx
            _record(report, role, operation, mode, SERVER_ERROR_CHECK, None, repr(exc), "")
            return
        report.cases[role.name] += 1
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(
                response,
                checks=checks,
                headers=headers,
                transport_kwargs={"base_url": api_url, "session": session, "headers": headers},
            )
        except FailureGroup as group:
            curl = case.as_curl_command(headers=dict(response.request.headers), base_url=api_url)
            for failure in group.exceptions:
                check = _check_name(failure)
                title = getattr(failure, "title", type(failure).__name__)
                message = getattr(failure, "message", "") or ""
                text = f"{title}: {message}".strip().replace("\n", " ")[:400]
                _record(report, role, operation, mode, check, response.status_code, text, curl)

    try:
        test()
    except Unsatisfiable:
        # Nothing to negate (no parameters and no body, e.g. GET /health): no negative case exists.
        report.unsatisfiable.add(f"{operation.label} ({mode.value})")


def _check_name(failure: Any) -> str:
    """The check that raised a failure (every built-in failure class names the checks that report it)."""
    checks = type(failure).checks
    return str(checks[0]) if checks else type(failure).__name__


def _record(
    report: Report,
    role: Role,
    operation: Any,
    mode: GenerationMode,
    check: str,
    status: int | None,
    title: str,
    curl: str,
) -> None:
    finding = Finding(role.name, operation.label, mode.value, check, status, title, curl)
    key = finding.key()
    report.occurrences[key] += 1
    report.findings.setdefault(key, finding)


# --- Credentials for the authenticated runs ---------------------------------------------------------------


def roles_for(info: dict[str, Any], person: dict[str, Any], password: str, *, full: bool = True) -> dict[str, Role]:
    """Anonymous on every operation, a registered person and the Ministry on the Cognito-protected ones.

    Not `full` (the short run in `make test`): anonymous only on the operations without the Cognito scheme
    (the public ones and /sat), the Ministry only on /admin; the full run covers the rest."""
    from local import journeys

    api = httpx.Client(base_url=info["api_url"], timeout=120)
    mailbox = journeys.Mailbox(info["mailbox_url"])
    citizen = journeys.register_citizen(api, mailbox, person, password)
    ministry = journeys.ministry_session(api, info["ministry_login"])
    cognito = frozenset({"cognito"})
    authorized, system = _ccf_roles(info, api, journeys.bearer(ministry), password)
    roles = [
        Role("anonymous", {}, skip_cognito=not full),
        Role("person", journeys.bearer(citizen), cognito),
        Role("ministry", journeys.bearer(ministry), cognito, prefix="/" if full else "/admin/"),
        # The authorized person of one CCF on the /ccfs routes, a CCF system's token on the /sat ones.
        Role("authorized", authorized, cognito, prefix="/" if full else "/ccfs/"),
        Role("ccf_system", system, frozenset({"satToken"}), prefix="/" if full else "/sat/"),
    ]
    return {role.name: role for role in roles}


def _ccf_roles(
    info: dict[str, Any], api: httpx.Client, ministry: dict[str, str], password: str
) -> tuple[dict[str, str], dict[str, str]]:
    """A CCF with its authorized person (terms accepted, consumer password set, the three services assigned)
    and a system token of its SOLICITUD AFILIACION service. The fuzz runtime is this directory's own, so the
    seed's first free CCF and a free person further down the list collide with nothing."""
    from local import exchange_journey, journeys

    free = journeys.seed()["scenarios"]["free"]
    nit = next(company["nit"] for company in free["companies"] if company["isCcf"])
    ref = next(ref for ref in free["people"][150:] if ref["documentType"] == "CC")
    journeys.register_citizen(api, journeys.Mailbox(info["mailbox_url"]), journeys.person(ref), password)
    authorized = exchange_journey.prepare_ccf_world_directly_in_moto(info, nit, ref, password)
    consumer = "claves de consumo para el fuzzing 2026"
    client_ids = exchange_journey.activate_and_assign(api, ministry, authorized, nit, consumer)
    form = {"grant_type": "client_credentials"}
    auth = journeys.basic_auth(client_ids["solicitud-afiliacion"], consumer)
    token = api.post("/oauth2/token", data=form, headers=auth)
    token.raise_for_status()
    return authorized, {"Authorization": f"Bearer {token.json()['access_token']}"}
