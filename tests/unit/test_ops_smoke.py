"""`ops smoke`'s checks that only run against AWS (SES, the alarm subscription), on canned answers: a stack still
in the SES sandbox or with nobody subscribed to the alarms is a warning, a paused account a failure."""

from __future__ import annotations

from typing import Any

import pytest

from ops import smoke
from ops.target import Target


class Canned:
    def __init__(self, **answers: Any) -> None:
        self.answers = answers

    def __getattr__(self, name: str) -> Any:
        return lambda **_: self.answers[name]


def target(**clients: Canned) -> Target:
    found = Target("SatCcf-prod", "sa-east-1", {"AlarmTopicArn": "arn:aws:sns:sa-east-1:1:alarms"})
    found._clients.update(clients)
    return found


@pytest.mark.parametrize(
    ("account", "status"),
    [
        ({"ProductionAccessEnabled": False, "SendingEnabled": True}, smoke.WARN),
        ({"ProductionAccessEnabled": True, "SendingEnabled": False}, smoke.FAIL),
        ({"ProductionAccessEnabled": True, "SendingEnabled": True}, smoke.OK),
    ],
)
def test_ses_sandbox_is_a_warning_and_a_paused_account_a_failure(account: dict[str, bool], status: str) -> None:
    assert smoke._ses(target(sesv2=Canned(get_account=account))).status == status


def test_an_unconfirmed_alarm_subscription_is_a_warning() -> None:
    pending = {"Subscriptions": [{"SubscriptionArn": "PendingConfirmation", "Protocol": "email"}]}
    confirmed = {"Subscriptions": [{"SubscriptionArn": "arn:aws:sns:sa-east-1:1:alarms:abc", "Protocol": "email"}]}
    assert smoke._alarm_subscription(target(sns=Canned(list_subscriptions_by_topic=pending))).status == smoke.WARN
    assert smoke._alarm_subscription(target(sns=Canned(list_subscriptions_by_topic=confirmed))).status == smoke.OK


def test_the_report_counts_warnings_and_failures() -> None:
    checks = [smoke.Check("a", smoke.OK, "x"), smoke.Check("b", smoke.WARN, "y"), smoke.Check("c", smoke.FAIL, "z")]
    assert smoke.render(checks).splitlines()[-1] == "1 ok, 1 warnings, 1 failed"
