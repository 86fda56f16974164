"""When a notification that got no acknowledgement is tried again (decision 0105).

The steps (NOTIFICATION_RETRY_STEPS_SECONDS, default 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h; the
last one repeats) are ceilings with full jitter: the wait after attempt n is uniform in [1 s, step n], so CCFs
that came back at once are not hit by every queued trámite together. A Retry-After the CCF sent is a floor. The
delivery gives up only when an attempt fails at least NOTIFICATION_RETRY_WINDOW_SECONDS (24 h) after the first
attempt of the trámite's generation: the last attempt is never earlier than that, however the jitter fell.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

# SQS: a message's visibility can be changed to at most 12 h; a longer wait is split by the worker.
MAX_VISIBILITY_SECONDS = 43_200
DEFAULT_STEPS = (30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200)
DEFAULT_WINDOW_SECONDS = 24 * 3600


def step(steps: Sequence[int], attempt: int) -> int:
    """The ceiling of the wait after attempt `attempt` (1-based); the last step repeats."""
    return int(steps[min(max(attempt, 1), len(steps)) - 1])


def next_delay(steps: Sequence[int], attempt: int, retry_after: int | None = None) -> int:
    """Seconds until the next attempt: full jitter under the step, Retry-After as a floor, within SQS' 12 h."""
    delay = random.uniform(1, max(1, step(steps, attempt)))  # noqa: S311 - jitter, not a secret
    if retry_after is not None:
        delay = max(delay, float(retry_after))
    return max(1, min(round(delay), MAX_VISIBILITY_SECONDS))


def exhausted(window_started: int, now: int, window_seconds: int) -> bool:
    """True when an attempt failing at `now` is the last one."""
    return now - window_started >= window_seconds
