"""The `/users` listing of a large tenant as disjoint `createdDateTime` ranges read in parallel.

Why: with `signInActivity` selected Graph serves at most 120 users a page, and each page is
slow (hundreds of milliseconds to seconds), so a 200,000-user tenant is a 1,667-page chain
that alone outlasts the run's deadline. Graph filters users on `createdDateTime` with `ge`
and `le` by default (no advanced query; see docs/graph-endpoints.md), so the time axis can be
cut into inclusive one-second-grained ranges that cover every user exactly once, each read
as a chain of its own.

Exactness never depends on this: the plan is used only when the ranges' `$count`s add up to
the tenant's `$count` (a user with no `createdDateTime` would be in no range), and the
listing only when every user came back exactly once and their number is that total.
Anything else, including any refused or failed request, means the caller lists the single
chain instead, from scratch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from collector.clients.graph import GraphQuery, GraphReader
from collector.clients.paging import JsonObject
from collector.core.outcomes import SurfaceError

#: Below this many users one chain finishes about as soon as parallel ones would.
MIN_USERS = 6_000
#: Chains read at once; Graph's per-app concurrency guidance and the reader's slots bound it.
PARTITIONS = 8
#: `$count` requests the planner may spend on finding balanced ranges.
MAX_PLANNING_COUNTS = 32
#: Every user was created after this and before the run (ranges are inclusive, to the second).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
EVENTUAL = (("ConsistencyLevel", "eventual"),)  # `$count` on directory objects needs it


@dataclass(frozen=True)
class Range:
    """Users created from `start` to `end`, both inclusive, and how many Graph counted."""

    start: datetime
    end: datetime
    count: int

    @property
    def filter(self) -> str:
        return f"createdDateTime ge {_iso(self.start)} and createdDateTime le {_iso(self.end)}"

    def halves(self) -> tuple[Range, Range] | None:
        seconds = int((self.end - self.start).total_seconds())
        if seconds < 1:
            return None
        middle = self.start + timedelta(seconds=seconds // 2)
        return Range(self.start, middle, 0), Range(middle + SECOND, self.end, 0)


@dataclass(frozen=True)
class Plan:
    """Disjoint ranges covering EPOCH..now, and the tenant's total they must add up to."""

    ranges: tuple[Range, ...]
    total: int


def axis(now: datetime, total: int) -> Range:
    """The whole time axis (every user was created on it), holding the tenant's `total`."""
    return Range(EPOCH, now.replace(microsecond=0) + timedelta(days=1), total)


async def count(reader: GraphReader, filter: str | None = None) -> int | None:
    """Graph's `$count` of the users matching `filter`; None when Graph did not give one."""
    query = GraphQuery(
        lambda client: client.users,
        select=("id",),
        top=1,
        filter=filter,
        count=True,
        headers=EVENTUAL,
    )
    document = await reader.get_object(query)
    value = document.get("@odata.count")
    return value if type(value) is int and value >= 0 else None


async def plan(reader: GraphReader, now: datetime) -> Plan | None:
    """Balanced ranges for a tenant worth splitting, or None (list one chain).

    Splits the most populous range at its midpoint until PARTITIONS ranges hold users: one
    `$count` per split, the other half being the difference. Empty ranges are kept (one
    request each), so the ranges always cover the whole time axis; the listing's own check
    catches a stale count.
    """
    total = await count(reader)
    if total is None or total < MIN_USERS:
        return None
    whole = axis(now, total)
    if await count(reader, whole.filter) != total:
        return None  # some users have no createdDateTime (or one outside the axis)
    ranges = await balanced(whole, lambda part: count(reader, part.filter))
    return None if ranges is None else Plan(ranges, total)


async def balanced(
    whole: Range, count_of: Callable[[Range], Awaitable[int | None]]
) -> tuple[Range, ...] | None:
    """`whole` split until PARTITIONS ranges hold users, most populous first; None when a
    count is missing or impossible. `count_of` is Graph's `$count` of a range (or, for the
    benchmark's request plan, the estate's arithmetic)."""
    ranges = [whole]
    for _ in range(MAX_PLANNING_COUNTS):
        if sum(1 for r in ranges if r.count) >= PARTITIONS:
            break
        ranges.sort(key=lambda r: r.count, reverse=True)
        widest = ranges[0]
        halves = widest.halves()
        if halves is None or widest.count == 0:
            break
        left, right = halves
        counted = await count_of(left)
        if counted is None or counted > widest.count:
            return None
        ranges[0:1] = [replace(left, count=counted), replace(right, count=widest.count - counted)]
    return tuple(sorted(ranges, key=lambda r: r.count, reverse=True))


async def list_partitions(
    reader: GraphReader,
    query: GraphQuery,
    partitions: Plan,
    add_page: Callable[[list[JsonObject]], None],
) -> None:
    """Every page of every range's chain to `add_page` as it arrives (the longest chains
    start first); a failure of any chain cancels the others and raises its SurfaceError."""

    async def chain(part: Range) -> None:
        async for page in reader.pages(replace(query, filter=part.filter)):
            add_page(page)

    try:
        async with asyncio.TaskGroup() as group:
            for part in partitions.ranges:
                group.create_task(chain(part))
    except* SurfaceError as failures:
        raise failures.exceptions[0] from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
