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


@dataclass(frozen=True)
class StageConfig:
    stage: str
    sender_email: str
    portal_base_url: str
    cors_allowed_origins: tuple[str, ...]
    notification_target_name: str
    log_retention_days: int = 30
    waf_rate_limit_per_5min: int = 1000
    api_throttling_rate_limit: int = 50
    api_throttling_burst_limit: int = 100

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
        origins = get("corsAllowedOrigins")
        if isinstance(origins, str):  # `-c corsAllowedOrigins=a,b` from the CLI arrives as a string
            origins = [o.strip() for o in origins.split(",") if o.strip()]
        if not origins:
            raise ValueError("corsAllowedOrigins must list at least one origin")
        target = str(get("notificationTargetName"))
        if not _QUEUE_RE.match(target):
            raise ValueError(f"notificationTargetName {target!r} is not a valid SQS queue name")
        return cls(
            stage=stage,
            sender_email=str(get("senderEmail")),
            portal_base_url=str(get("portalBaseUrl")).rstrip("/"),
            cors_allowed_origins=tuple(str(o) for o in origins),
            notification_target_name=target,
            log_retention_days=int(get("logRetentionDays", 30)),
            waf_rate_limit_per_5min=int(get("wafRateLimitPer5Min", 1000)),
            api_throttling_rate_limit=int(get("apiThrottlingRateLimit", 50)),
            api_throttling_burst_limit=int(get("apiThrottlingBurstLimit", 100)),
        )
