"""The pacer's arithmetic on a fake clock: scopes, halving on 429, slow recovery, holds."""

from __future__ import annotations

import pytest

from collector.transport.pacing import DECREASE, INCREASE, MIN_RATE, Pacer, throttling_scope


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


ARM = "https://management.azure.com"
GRAPH = "https://graph.microsoft.com"


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        (f"{ARM}/subscriptions/ABC/providers/x?api-version=1", f"{ARM}/subscriptions/abc"),
        (f"{ARM}/Subscriptions/abc", f"{ARM}/subscriptions/abc"),
        (f"{ARM}/providers/Microsoft.ResourceGraph/resources", ARM),
        (f"{GRAPH}/v1.0/auditLogs/signIns?$top=999", f"{GRAPH}/reporting"),
        (
            f"{GRAPH}/v1.0/reports/authenticationMethods/userRegistrationDetails",
            f"{GRAPH}/reporting",
        ),
        (f"{GRAPH}/v1.0/users?$top=999", GRAPH),
        (f"{GRAPH}/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", GRAPH),
        (f"{GRAPH}/v1.0/security/secureScores?$top=1", f"{GRAPH}/security"),
        ("https://LOGIN.example:8443/t/oauth2/v2.0/token", "https://login.example:8443"),
    ],
)
def test_scopes_follow_microsofts_throttling_units(url: str, scope: str) -> None:
    assert throttling_scope(url) == scope


def test_an_unthrottled_scope_is_never_delayed() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    assert [pacer.reserve("s") for _ in range(100)] == [0.0] * 100
    assert pacer.rate("s") is None


def test_first_429_halves_the_measured_rate_and_holds_for_retry_after() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    for _ in range(40):  # 40 starts over the last second: 20 per second over the 2 s window
        pacer.reserve("s")
        clock.now += 0.025
    pacer.observe("s", 429, 1.0)
    assert pacer.rate("s") == pytest.approx(20 * DECREASE)
    assert pacer.reserve("s") == pytest.approx(1.0)  # held for Retry-After
    assert pacer.reserve("s") == pytest.approx(1.0 + 1 / (20 * DECREASE))  # then paced


def test_concurrent_429s_from_one_burst_decrease_once() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    for _ in range(20):
        pacer.reserve("s")
    for _ in range(8):
        pacer.observe("s", 429, 1.0)
    assert pacer.rate("s") == pytest.approx(10 * DECREASE)
    clock.now += 1.5  # a later burst, past the cooldown, halves again
    pacer.observe("s", 429, 1.0)
    assert pacer.rate("s") == pytest.approx(10 * DECREASE * DECREASE)


def test_successes_raise_the_rate_slowly_and_other_scopes_are_untouched() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.observe("s", 429, None)
    assert pacer.rate("s") == MIN_RATE  # no start measured in the window: the floor
    for _ in range(10):
        pacer.observe("s", 200, None)
    assert pacer.rate("s") == pytest.approx(MIN_RATE * INCREASE**10)
    pacer.observe("s", 404, None)  # neither success nor throttling
    assert pacer.rate("s") == pytest.approx(MIN_RATE * INCREASE**10)
    assert pacer.rate("other") is None
    assert pacer.reserve("other") == 0.0
