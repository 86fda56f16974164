"""Settings and the worker of the notifications area, built on the first message (decision 0117)."""

from dataclasses import dataclass
from functools import cache

from pydantic import Field

from notifications import schedule
from notifications.delivery import Deliverer
from sat_common.settings import CommonSettings, OutboundSettings


class NotificationSettings(CommonSettings, OutboundSettings):
    main_table_name: str
    audit_table_name: str
    notification_signing_key_id: str  # the `current` alias (decision 0104) or a plain key id
    notification_queue_url: str = ""  # for the schedule (ChangeMessageVisibility, re-enqueue); empty: none
    notification_dlq_url: str
    # The schedule (decision 0105; cdk.json notificationRetry*): step ceilings (JSON list, the last repeats) and
    # how long after the first attempt the delivery keeps trying.
    notification_retry_steps_seconds: list[int] = Field(
        default=list(schedule.DEFAULT_STEPS), min_length=1, max_length=50
    )
    notification_retry_window_seconds: int = Field(default=schedule.DEFAULT_WINDOW_SECONDS, ge=1, le=13 * 86400)
    # An endpoint that has not acknowledged anything for this long is disabled (cdk.json
    # notificationDisableAfterDays).
    notification_disable_after_seconds: int = Field(default=3 * 86400, ge=1)
    # The queue's maxReceiveCount (infra/components/notifications.py): the worker re-enqueues before it.
    notification_max_receives: int = Field(default=50, ge=3)
    # The notices (notices.py): the outbox, the portal links, the exchange operators' pool (empty: none).
    outbox_queue_url: str
    portal_base_url: str
    people_user_pool_id: str = ""


@dataclass(frozen=True)
class Deps:
    settings: NotificationSettings
    deliverer: Deliverer  # holds the outbound HTTP client, the signer and the repository


@cache
def settings() -> NotificationSettings:
    return NotificationSettings()  # type: ignore[call-arg]


@cache
def deps() -> Deps:
    config = settings()
    return Deps(settings=config, deliverer=Deliverer(config))
