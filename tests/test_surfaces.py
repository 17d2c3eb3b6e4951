"""The surface safety net: an internal error nulls its surface; only fatal errors end a run."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from collector.core import outcomes
from collector.core.errors import AuthError
from collector.core.outcomes import Failure, Kind, SurfaceError
from collector.core.per_item import PER_ITEM_WORKERS, per_item
from collector.core.registry import outcome_of

TDE = "[resource_id]/transparentDataEncryption/current?api-version"


@pytest.fixture
def bugs() -> Iterator[list[str]]:
    """Record internal errors instead of failing the test (these tests cause them on purpose)."""
    seen: list[str] = []
    saved = list(outcomes.internal_error_hooks)
    outcomes.internal_error_hooks[:] = [lambda key, error: seen.append(f"{key}:{error!r}")]
    yield seen
    outcomes.internal_error_hooks[:] = saved


async def _broken() -> int:
    raise KeyError("properties")  # our own aggregation met a shape nobody expected


async def _denied() -> int:
    raise SurfaceError(Failure.http("permission", "arm", TDE, 403, None))


async def _fine() -> int:
    return 7


def test_a_bug_in_our_code_is_an_internal_error_of_its_surface(bugs: list[str]) -> None:
    outcome = asyncio.run(outcome_of("G11", _broken))
    assert not outcome.available
    (failure,) = outcome.failures
    assert failure.kind is Kind.BUG
    assert failure.detail == "graph request /applications?$select&$top failed: internal error"
    assert bugs == ["G11:KeyError('properties')"]


def test_fatal_errors_still_end_the_run() -> None:
    async def fatal() -> int:
        raise AuthError("token request for graph failed: status=401")

    with pytest.raises(AuthError):
        asyncio.run(outcome_of("G3", fatal))


def test_per_item_keeps_every_result_and_every_failure_in_item_order(bugs: list[str]) -> None:
    calls = {"fine": _fine, "broken": _broken, "denied": _denied}
    items = ["fine", "broken", "denied", "fine"]
    values, failures = asyncio.run(per_item("A10", items, lambda item: calls[item]()))
    assert values == [7, None, None, 7]
    assert [f.detail for f in failures] == [
        f"arm request {TDE} failed: internal error",
        f"arm request {TDE} failed: status=403",
    ]
    assert [f.cause for f in failures] == ["error", "permission"]
    assert bugs == ["A10:KeyError('properties')"]


def test_per_item_holds_at_most_its_workers_in_flight_and_stops_on_fatal_errors() -> None:
    running = 0
    peak = 0

    async def call(item: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0)
        running -= 1
        return item * 2

    values, failures = asyncio.run(per_item("A19", list(range(100)), call))
    assert values == [i * 2 for i in range(100)] and failures == ()
    assert peak == PER_ITEM_WORKERS  # 100 items, never more than 8 calls alive at once

    async def fatal(item: int) -> int:
        raise AuthError("token request for arm failed: status=401")

    with pytest.raises(AuthError):
        asyncio.run(per_item("A19", [1, 2, 3], fatal))


def test_failure_texts_are_rendered_from_their_parts() -> None:
    users = "/users?$select&$top"
    assert Failure.deadline().detail == "deadline exceeded"
    assert Failure.http("error", "graph", users, 500, "Boom").detail == (
        "graph request /users?$select&$top failed: status=500 code=Boom"
    )
    assert Failure.of(Kind.TRANSPORT, "arm", "/x?api-version", "timeout").detail == (
        "arm request /x?api-version failed: timeout"
    )
    assert Failure.of(Kind.EGRESS, "arm", "/x?api-version").detail == (
        "arm request /x?api-version failed: egress refused"
    )
    assert Failure.empty().detail is None
    assert Failure.http("error", "graph", users, 429, None).throttled
