"""Stage configuration: the CDK context values the app needs, read once and validated."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs import Node

REPO_ROOT = Path(__file__).resolve().parent.parent
CDK_JSON = REPO_ROOT / "cdk.json"

_STAGE_RE = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
_QUEUE_RE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The "context" block of cdk.json (the CLI merges it itself; `python infra/app.py` needs this)."""
    return dict(json.loads(path.read_text(encoding="utf-8")).get("context", {}))


def _per_stage(value: Any, stage: str) -> int:
    """A number, or an object of numbers by stage with a "default" (the dev stage runs whole test suites
    from one address; production keeps the strict per-IP limit)."""
    if isinstance(value, str) and value.lstrip().startswith("{"):  # `-c key={...}` arrives as a string
        value = json.loads(value)
    if isinstance(value, dict):
        if stage not in value and "default" not in value:
            raise ValueError(f"no value for stage {stage!r} and no 'default' in {value!r}")
        value = value.get(stage, value.get("default"))
    return int(value)


BOT_PROTECTION_ACTIONS = ("captcha", "challenge", "off")  # the portal's public forms (decision 0088)


def _bot_protection(value: Any, stage: str) -> str:
    """One of BOT_PROTECTION_ACTIONS, or an object of them by stage with a "default"."""
    if isinstance(value, str) and value.lstrip().startswith("{"):  # `-c key={...}` arrives as a string
        value = json.loads(value)
    if isinstance(value, dict):
        if stage not in value and "default" not in value:
            raise ValueError(f"portalBotProtection: no value for stage {stage!r} and no 'default' in {value!r}")
        value = value.get(stage, value.get("default"))
    choice = str(value).lower()
    if choice not in BOT_PROTECTION_ACTIONS:
        raise ValueError(f"portalBotProtection must be one of {BOT_PROTECTION_ACTIONS}, got {value!r}")
    return choice


# An origin as browsers send it: scheme, host and optional port; no path, quotes or brackets.
_ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](-?[a-z0-9])*\.)+[a-z]{2,63}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")


def _string_list(value: Any, key: str) -> tuple[str, ...]:
    """A list from cdk.json, or from the CLI, where `-c key=...` always arrives as a string: a JSON list
    (`-c 'key=["a","b"]'`) or comma-separated (`-c key=a,b`)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError as error:
                raise ValueError(f"{key}: not a valid JSON list ({error})") from None
        else:
            value = text.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a list of strings, got {value!r}")
    return tuple(item.strip() for item in value if item.strip())


def _json_object(value: Any, key: str) -> dict[str, Any]:
    """An object from cdk.json, or its JSON text from the CLI (`-c 'key={...}'`)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise ValueError(f"{key}: not a valid JSON object ({error})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a JSON object, got {value!r}")
    return value


def _optional(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


@dataclass(frozen=True)
class ReferenceSourceConfig:
    """Where the functions look people and companies up (docs/reference-sources.md, decision 0071)."""

    kind: str = "dynamodb"  # "dynamodb": the reference table; "http": the HTTP adapter
    base_url: str | None = None
    secret_name: str | None = None  # Secrets Manager secret holding {"token": "..."} for the HTTP source
    timeout_seconds: float = 3.0

    @classmethod
    def parse(cls, value: Any) -> ReferenceSourceConfig:
        raw = _json_object(value, "referenceSource")
        unknown = set(raw) - {"kind", "baseUrl", "secretName", "timeoutSeconds"}
        if unknown:
            raise ValueError(f"referenceSource: unknown keys {sorted(unknown)}")
        kind = raw.get("kind", "dynamodb")
        if kind == "dynamodb":
            return cls()
        if kind != "http":
            raise ValueError(f"referenceSource.kind must be 'dynamodb' or 'http', got {kind!r}")
        base_url = str(raw.get("baseUrl") or "").rstrip("/")
        if not base_url.startswith("https://"):
            raise ValueError("referenceSource.baseUrl must be an https:// URL")
        secret_name = str(raw.get("secretName") or "")
        if not _SECRET_NAME_RE.match(secret_name):
            raise ValueError("referenceSource.secretName must name a Secrets Manager secret")
        timeout = float(raw.get("timeoutSeconds", 3))
        if not 0 < timeout <= 8:  # the functions that look people up time out at 10 s
            raise ValueError("referenceSource.timeoutSeconds must be in (0, 8]")
        return cls(kind="http", base_url=base_url, secret_name=secret_name, timeout_seconds=timeout)


@dataclass(frozen=True)
class NotificationRetryConfig:
    """The trámite notifications' delivery schedule (cdk.json `notificationRetry`, decision 0105): step ceilings
    with full jitter (the last repeats), how long after the first attempt the delivery keeps trying (at least 24 h,
    product.md "Signed notifications"), and after how many days without an acknowledgement an endpoint is disabled."""

    steps_seconds: tuple[int, ...] = (30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200)
    window_hours: int = 24
    disable_after_days: int = 3

    @classmethod
    def parse(cls, raw: Any) -> NotificationRetryConfig:
        if not isinstance(raw, dict) or set(raw) - {"stepsSeconds", "windowHours", "disableAfterDays"}:
            raise ValueError("notificationRetry must be {stepsSeconds, windowHours, disableAfterDays}")
        steps = tuple(int(step) for step in raw.get("stepsSeconds", cls.steps_seconds))
        if not steps or len(steps) > 50 or any(not 1 <= step <= 43_200 for step in steps):
            raise ValueError("notificationRetry.stepsSeconds: 1 to 50 steps of 1 to 43200 s (SQS' 12 h)")
        window = int(raw.get("windowHours", cls.window_hours))
        if not 24 <= window <= 13 * 24:  # the queue keeps a message 14 days
            raise ValueError("notificationRetry.windowHours must be in [24, 312]")
        days = int(raw.get("disableAfterDays", cls.disable_after_days))
        if not 1 <= days <= 30:
            raise ValueError("notificationRetry.disableAfterDays must be in [1, 30]")
        return cls(steps_seconds=steps, window_hours=window, disable_after_days=days)


@dataclass(frozen=True)
class StageConfig:
    stage: str
    sender_email: str
    portal_base_url: str
    cors_allowed_origins: tuple[str, ...]
    notification_target_name: str
    log_retention_days: int = 30
    waf_rate_limit_per_5min: int = 1000
    portal_bot_protection: str = "captcha"  # WAF action on the portal's public forms (decision 0088)
    api_throttling_rate_limit: int = 50
    api_throttling_burst_limit: int = 100
    reference_source: ReferenceSourceConfig = ReferenceSourceConfig()
    ses_domain: str | None = None  # SES domain identity with DKIM (decision 0072); None: the sender address only
    ses_hosted_zone_id: str | None = None  # Route 53 zone of ses_domain: the DKIM records are created in it
    alarm_email: str | None = None  # operators subscribed to the alarm topic (decision 0073)
    # The API's public base URL (e.g. a custom domain); None: the stage URL of the RestApi. Every URL handed to
    # CCF systems is built from it, never from a request's Host header (decision 0054).
    api_base_url: str | None = None
    notification_retry: NotificationRetryConfig = NotificationRetryConfig()

    @property
    def termination_protection(self) -> bool:
        """Every stage but dev refuses `cdk destroy` / DeleteStack until an operator turns it off."""
        return self.stage != "dev"

    @property
    def prefix(self) -> str:
        """Prefix of physical names: `sat-ccf-<stage>`."""
        return f"sat-ccf-{self.stage}"

    @property
    def email_template_prefix(self) -> str:
        return f"{self.prefix}-"

    @property
    def secrets_prefix(self) -> str:
        return f"sat-ccf/{self.stage}/shared-services/"

    @classmethod
    def from_node(cls, node: Node) -> StageConfig:
        def get(key: str, default: Any = None) -> Any:
            value = node.try_get_context(key)
            if value is None:
                if default is None:
                    raise ValueError(f"CDK context value {key!r} is required (see cdk.json)")
                return default
            return value

        stage = str(get("stage", "dev"))
        if not _STAGE_RE.match(stage):
            raise ValueError(f"stage {stage!r} must match {_STAGE_RE.pattern}")
        origins = _string_list(get("corsAllowedOrigins"), "corsAllowedOrigins")
        if not origins:
            raise ValueError("corsAllowedOrigins must list at least one origin")
        bad = [origin for origin in origins if not _ORIGIN_RE.match(origin)]
        if bad:
            raise ValueError(f"corsAllowedOrigins: {bad} are not origins (scheme://host[:port], no path)")
        sender_email = str(get("senderEmail"))
        ses_domain = _optional(node.try_get_context("sesDomain"))
        if ses_domain is not None:
            ses_domain = ses_domain.lower()
            if not _DOMAIN_RE.match(ses_domain):
                raise ValueError(f"sesDomain {ses_domain!r} is not a domain name")
            if not sender_email.lower().endswith("@" + ses_domain):
                raise ValueError(f"senderEmail must be an address of sesDomain ({ses_domain})")
        zone_id = _optional(node.try_get_context("sesHostedZoneId"))
        if zone_id is not None and ses_domain is None:
            raise ValueError("sesHostedZoneId needs sesDomain")
        alarm_email = _optional(node.try_get_context("alarmEmail"))
        if alarm_email is not None and not _EMAIL_RE.match(alarm_email):
            raise ValueError(f"alarmEmail {alarm_email!r} is not an e-mail address")
        api_base_url = _optional(node.try_get_context("apiBaseUrl"))
        if api_base_url is not None:
            api_base_url = api_base_url.rstrip("/")
            if not re.match(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$", api_base_url):
                raise ValueError(f"apiBaseUrl {api_base_url!r} must be an https:// URL without query or fragment")
        target = str(get("notificationTargetName"))
        if not _QUEUE_RE.match(target):
            raise ValueError(f"notificationTargetName {target!r} is not a valid SQS queue name")
        return cls(
            stage=stage,
            sender_email=sender_email,
            portal_base_url=str(get("portalBaseUrl")).rstrip("/"),
            cors_allowed_origins=tuple(str(o) for o in origins),
            notification_target_name=target,
            log_retention_days=int(get("logRetentionDays", 30)),
            waf_rate_limit_per_5min=_per_stage(get("wafRateLimitPer5Min", 1000), stage),
            portal_bot_protection=_bot_protection(get("portalBotProtection", "captcha"), stage),
            api_throttling_rate_limit=int(get("apiThrottlingRateLimit", 50)),
            api_throttling_burst_limit=int(get("apiThrottlingBurstLimit", 100)),
            reference_source=ReferenceSourceConfig.parse(get("referenceSource", {"kind": "dynamodb"})),
            ses_domain=ses_domain,
            ses_hosted_zone_id=zone_id,
            alarm_email=alarm_email,
            api_base_url=api_base_url,
            notification_retry=NotificationRetryConfig.parse(get("notificationRetry", {})),
        )
