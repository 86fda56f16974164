"""`python -m ops smoke`: is the stack ready for its users? Read-only checks (it writes nothing, so there is
nothing to clean up), each `ok`, `warn` (works, but not for production yet) or `fail`:

- the API over HTTPS as a browser or a CCF system would call it: health of this stage, a catalog, the OpenAPI
  document, an unknown route answered with problem+json, CORS allowed for the portal's origin only;
- what the first day needs in the account: the Ministry's three services, the reference table's
  populations (so registrations can start), at least one Ministry operator;
- on AWS only: SES out of the sandbox and its identity verified, and someone subscribed to the alarms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ops import target as outputs
from ops.target import Target

OK, WARN, FAIL = "ok", "warn", "fail"
USER_AGENT = "sat-ccf-ops-smoke/1.0"  # the WAF's managed rules block requests without one
KINDS = ("eps", "pensionFund", "employer", "affiliationYear", "municipality")  # sat_common.reference.populations
EXPECTED_SERVICES = 3  # local/seed/services.json (manual MN82 §6)


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str


def run(target: Target) -> list[Check]:
    import httpx

    api = target.output(outputs.API_URL).rstrip("/")
    portal_origin = _origin(target.output(outputs.PORTAL_BASE_URL))
    checks: list[Check] = []
    with httpx.Client(base_url=api, timeout=15, headers={"User-Agent": USER_AGENT}, follow_redirects=False) as http:
        steps: list[tuple[str, Callable[[], Check]]] = [
            ("api health", lambda: _health(http, target.outputs.get(outputs.STAGE))),
            ("api catalog", lambda: _catalog(http)),
            ("api openapi", lambda: _openapi(http)),
            ("api problem+json", lambda: _unknown_route(http)),
            ("api cors", lambda: _cors(http, portal_origin)),
            ("ministry services", lambda: _services(target)),
            ("reference populations", lambda: _populations(target)),
            ("ministry operator", lambda: _operator(target)),
            ("ses sending", lambda: _ses(target)),
            ("alarm subscription", lambda: _alarm_subscription(target)),
        ]
        for name, step in steps:
            try:
                checks.append(step())
            except Exception as error:  # one failing check must not hide the others
                checks.append(Check(name, FAIL, f"{type(error).__name__}: {error}"[:300]))
    return checks


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _health(http: Any, stage: str | None) -> Check:
    answer = http.get("/health")
    body = answer.json() if answer.status_code == 200 else {}
    if answer.status_code != 200 or body.get("status") != "ok":
        return Check("api health", FAIL, f"GET /health answered {answer.status_code}")
    if stage and body.get("stage") != stage:
        return Check("api health", FAIL, f"the API is stage {body.get('stage')!r}, the stack is {stage!r}")
    return Check("api health", OK, f"GET /health: ok, stage {body.get('stage')}")


def _catalog(http: Any) -> Check:
    answer = http.get("/catalogs/document-types")
    count = answer.json().get("count") if answer.status_code == 200 else None
    ok = answer.status_code == 200 and bool(count)
    return Check(
        "api catalog", OK if ok else FAIL, f"GET /catalogs/document-types: {answer.status_code}, {count} items"
    )


def _openapi(http: Any) -> Check:
    answer = http.get("/openapi.json")
    paths = len(answer.json().get("paths", {})) if answer.status_code == 200 else 0
    return Check("api openapi", OK if paths else FAIL, f"GET /openapi.json: {answer.status_code}, {paths} paths")


def _unknown_route(http: Any) -> Check:
    answer = http.get("/ops-smoke-no-such-route")
    kind = answer.headers.get("content-type", "")
    ok = answer.status_code == 404 and kind.startswith("application/problem+json")
    return Check("api problem+json", OK if ok else FAIL, f"unknown route: {answer.status_code} {kind}")


def _cors(http: Any, portal_origin: str) -> Check:
    def preflight(origin: str) -> str | None:
        answer = http.options(
            "/catalogs/document-types", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
        )
        return answer.headers.get("access-control-allow-origin")

    allowed, stranger = preflight(portal_origin), preflight("https://ops-smoke.invalid")
    if allowed != portal_origin:
        return Check("api cors", FAIL, f"the portal's origin {portal_origin} is not allowed (got {allowed!r})")
    if stranger not in (None, "", "null") and stranger != portal_origin:
        return Check("api cors", FAIL, f"an unknown origin is allowed ({stranger!r})")
    return Check("api cors", OK, f"{portal_origin} allowed, other origins not")


def _services(target: Target) -> Check:
    from catalog.repository import CatalogRepository

    found = target.store(CatalogRepository, outputs.MAIN_TABLE).services()
    active = [item for item in found if item.get("state") == "ACTIVE"]
    status = OK if len(active) >= EXPECTED_SERVICES else FAIL
    return Check("ministry services", status, f"{len(active)} active services (run `ops bootstrap` if fewer than 3)")


def _populations(target: Target) -> Check:
    from ops.repositories.reference import ReferenceRepository

    reference = target.store(ReferenceRepository, outputs.REFERENCE_TABLE)
    missing = [kind for kind in KINDS if reference.population(kind) is None]
    if missing:
        return Check("reference populations", FAIL, f"missing {missing}: run `ops reference import`")
    return Check("reference populations", OK, "the five populations of the identity questions are loaded")


def _operator(target: Target) -> Check:
    from ops.ministry_admin import MINISTRY_GROUP

    pool = target.output(outputs.PEOPLE_POOL)
    users = target.client("cognito-idp").list_users_in_group(UserPoolId=pool, GroupName=MINISTRY_GROUP, Limit=10)
    count = len(users.get("Users", []))
    return Check("ministry operator", OK if count else FAIL, f"{count} user(s) in group {MINISTRY_GROUP}")


def _ses(target: Target) -> Check:
    if target.local:
        return Check("ses sending", OK, "local runtime: e-mail goes to the local mailbox")
    account = target.client("sesv2").get_account()
    if not account.get("ProductionAccessEnabled"):
        return Check("ses sending", WARN, "SES is still in the sandbox: request production access (docs/deploy.md)")
    if not account.get("SendingEnabled", True):
        return Check("ses sending", FAIL, "SES sending is paused for the account")
    return Check("ses sending", OK, "production access, sending enabled")


def _alarm_subscription(target: Target) -> Check:
    if target.local:
        return Check("alarm subscription", OK, "local runtime: no CloudWatch")
    topic = target.output("AlarmTopicArn")
    subscriptions = target.client("sns").list_subscriptions_by_topic(TopicArn=topic).get("Subscriptions", [])
    confirmed = [s for s in subscriptions if str(s.get("SubscriptionArn", "")).startswith("arn:")]
    if not confirmed:
        return Check("alarm subscription", WARN, "nobody receives the alarms: set alarmEmail and confirm the e-mail")
    return Check("alarm subscription", OK, f"{len(confirmed)} confirmed subscription(s)")


def render(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    marks = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL"}
    lines = [f"  {marks[c.status]}  {c.name:<{width}}  {c.detail}" for c in checks]
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    lines.append(f"{len(checks) - failed - warned} ok, {warned} warnings, {failed} failed")
    return "\n".join(lines)
