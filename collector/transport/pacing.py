"""Client-side pacing per throttling scope, so a large run stays under Microsoft's limits.

Microsoft meters ARM reads per subscription and Graph's reporting APIs (G4, G13, G14) per
tenant, with token buckets the client cannot see. Retrying 429s alone turns a long listing into
a 429 storm: once a bucket is empty, every request is throttled once before it succeeds. The
pacer learns each scope's sustainable rate instead. A scope runs unpaced until its first 429;
from then on requests start no faster than 70 % of the rate that was throttled, and the rate
creeps back up by 1 % per success (a multiplicative decrease and a slow increase, the way TCP
congestion control finds a link's capacity). A 429 also holds every new start in its scope for
the `Retry-After` the service asked for, so concurrent requests do not walk into the same wall.

Pacing changes timing only, never what is requested or what is collected.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from collector.core.clouds import GRAPH_VERSION_PATH

DECREASE: Final = 0.7  # rate after a 429, as a fraction of the throttled rate
INCREASE: Final = 1.01  # rate growth per successful paced request
MIN_RATE: Final = 0.1  # requests per second; a floor so a scope always makes progress
MEASURE_WINDOW: Final = 2.0  # seconds of recent starts used to estimate an unpaced rate
# Graph meters each app in each tenant per service family: the reporting APIs (registration
# report, audit and sign-in logs), the security API (Secure Score) and the directory
# (users, applications, policies, roles, ...) have budgets of their own, so a 429 from one
# family holds only that family.
GRAPH_FAMILIES: Final = {
    f"{GRAPH_VERSION_PATH}/reports/": "reporting",
    f"{GRAPH_VERSION_PATH}/auditLogs/": "reporting",
    f"{GRAPH_VERSION_PATH}/security/": "security",
}


def throttling_scope(url: str) -> str:
    """The budget a request draws on: per subscription on ARM, per service family on Graph."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    segments = parts.path.split("/")
    if len(segments) > 2 and segments[1].lower() == "subscriptions":
        return f"{origin}/subscriptions/{segments[2].lower()}"
    for prefix, family in GRAPH_FAMILIES.items():
        if parts.path.startswith(prefix):
            return f"{origin}/{family}"
    return origin


@dataclass
class _Scope:
    rate: float | None = None  # requests per second; None while the scope has not been throttled
    next_start: float = 0.0
    held_until: float = 0.0
    last_decrease: float = float("-inf")
    recent: deque[float] = field(default_factory=deque)

    def measured_rate(self, now: float) -> float:
        while self.recent and self.recent[0] < now - MEASURE_WINDOW:
            self.recent.popleft()
        return len(self.recent) / MEASURE_WINDOW


class Pacer:
    """Spaces request starts per scope; shared by every client through the transport."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._scopes: dict[str, _Scope] = {}
        self._monotonic = clock

    def rate(self, scope: str) -> float | None:
        """The current paced rate of a scope (None while unpaced)."""
        state = self._scopes.get(scope)
        return state.rate if state else None

    def reserve(self, scope: str) -> float:
        """Book the next start slot of `scope`; returns how long to wait before sending."""
        state = self._scopes.setdefault(scope, _Scope())
        now = self._monotonic()
        start = max(now, state.held_until)
        if state.rate is not None:
            start = max(start, state.next_start)
            state.next_start = start + 1.0 / state.rate
        state.recent.append(start)
        state.measured_rate(now)  # drops starts older than the window, paced or not
        return start - now

    def observe(self, scope: str, status: int, retry_after: float | None) -> None:
        """Learn from a response: 429 slows the scope down, success lets it speed up."""
        state = self._scopes.setdefault(scope, _Scope())
        now = self._monotonic()
        if status == 429:
            if retry_after:
                state.held_until = max(state.held_until, now + retry_after)
            # Requests already in flight when the bucket ran dry answer 429 together: one
            # decrease per burst, not one per request.
            cooldown = 1.0 / state.rate if state.rate else MEASURE_WINDOW / 2
            if now - state.last_decrease < max(cooldown, retry_after or 0.0):
                return
            current = state.rate if state.rate is not None else state.measured_rate(now)
            state.rate = max(MIN_RATE, current * DECREASE)
            state.last_decrease = now
        elif state.rate is not None and 200 <= status < 300:
            state.rate *= INCREASE
