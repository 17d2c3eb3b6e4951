"""Progress that tells the truth: lines when phases and subscriptions actually start and end,
and running counts of the long listings, so a large tenant never looks stalled.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Final, Protocol

LISTING_REPORT_SECONDS: Final = 5.0  # at most one count line per listing in this interval


class Progress(Protocol):
    """Where a run reports what it is doing (the protocol writer's progress lines)."""

    def status(self, message: str) -> None: ...

    def progress(self, message: str, current: int, total: int) -> None: ...


class ListingCounts:
    """Counts the items of each long listing and reports them every few seconds.

    The first line for a listing comes after `LISTING_REPORT_SECONDS` of paging, so a small
    tenant sees none; a 200,000-user tenant sees the count rise during the minutes it pages.
    """

    def __init__(self, progress: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self._progress = progress
        self._clock = clock
        self._started = clock()
        self._counts: Counter[str] = Counter()
        self._reported: dict[str, float] = {}

    def __call__(self, label: str, items: int) -> None:
        self._counts[label] += items
        now = self._clock()
        if now - self._reported.get(label, self._started) >= LISTING_REPORT_SECONDS:
            self._reported[label] = now
            self._progress.status(f"Microsoft Entra ID: {self._counts[label]:,} {label} read")


class SubscriptionProgress:
    """Subscription lines when each one starts and finishes; `current` counts finished ones."""

    def __init__(self, progress: Progress, total: int) -> None:
        self._progress = progress
        self._total = total
        self._finished = 0

    def started(self, subscription_id: str) -> None:
        self._progress.status(f"Collecting Azure subscription {subscription_id}")

    def finished(self, subscription_id: str) -> None:
        self._finished += 1
        self._progress.progress(
            f"Collected Azure subscription {subscription_id}", self._finished, self._total
        )
