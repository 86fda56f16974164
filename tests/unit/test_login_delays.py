"""The arithmetic of the sign-in delays (decision 0028): whose source it is, and how long it waits."""

import pytest

from registration.login_delays import UNKNOWN_SOURCE, Policy, delay_for, source_of, waiting_until

POLICY = Policy(free_failures=5, base_seconds=30, max_seconds=900, memory_seconds=86_400)


@pytest.mark.parametrize(
    ("ip", "source"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:0:1::5", "2001:db8:0:1::/64"),
        ("2001:db8:0:1:ffff:ffff:ffff:ffff", "2001:db8:0:1::/64"),  # same subscriber's /64
        ("::ffff:198.51.100.9", "198.51.100.9"),  # IPv4-mapped: the IPv4 address
        ("", UNKNOWN_SOURCE),
        (None, UNKNOWN_SOURCE),
        ("not an address", UNKNOWN_SOURCE),
    ],
)
def test_the_source_of_a_delay(ip, source):
    assert source_of(ip) == source


def test_four_free_failures_then_doubling_waits_up_to_the_ceiling():
    waits = [delay_for(failures, POLICY) for failures in range(1, 13)]
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]
    assert delay_for(10_000, POLICY) == 900  # no overflow however long an attacker keeps trying


def test_a_delay_holds_until_its_instant_and_a_forgotten_count_holds_nothing():
    item = {"failures": 6, "delayUntil": 1_000, "expiresAt": 90_000}
    assert waiting_until(item, 999) == 1_000
    assert waiting_until(item, 1_000) is None
    assert waiting_until({**item, "expiresAt": 500}, 400) == 1_000
    assert waiting_until({**item, "expiresAt": 500}, 500) is None
    assert waiting_until(None, 0) is None
