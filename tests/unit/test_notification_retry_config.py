"""cdk.json `notificationRetry` (decision 0105): the schedule a stage may configure lasts at least 24 hours and
fits SQS (steps of at most 12 h, a window the queue's 14-day retention covers)."""

import pytest

from infra.config import NotificationRetryConfig


def test_the_defaults_are_the_documented_schedule():
    config = NotificationRetryConfig.parse({})
    assert config.steps_seconds == (30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200)
    assert (config.window_hours, config.disable_after_days) == (24, 3)


@pytest.mark.parametrize(
    "raw",
    [
        {"windowHours": 23},  # less than the contract's 24 hours
        {"windowHours": 400},  # beyond the queue's retention
        {"stepsSeconds": []},
        {"stepsSeconds": [30, 43_201]},  # more than one SQS visibility change can hold
        {"disableAfterDays": 0},
        {"retries": 5},  # unknown key
    ],
)
def test_a_schedule_shorter_than_24_hours_or_beyond_sqs_is_refused(raw):
    with pytest.raises(ValueError, match="notificationRetry"):
        NotificationRetryConfig.parse(raw)


def test_a_stage_can_lengthen_it():
    config = NotificationRetryConfig.parse({"stepsSeconds": [60, 600], "windowHours": 48, "disableAfterDays": 7})
    assert config.steps_seconds == (60, 600) and config.window_hours == 48 and config.disable_after_days == 7
