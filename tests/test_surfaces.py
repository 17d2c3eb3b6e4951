"""An unexpected response shape nulls its surface; only fatal errors end the run (§3.6)."""

from __future__ import annotations

import asyncio

import pytest

from collector.clients.arm_context import PER_ITEM_WORKERS, per_item
from collector.core.errors import AuthError
from collector.core.outcomes import Failure, SurfaceError, outcome_of


async def _broken() -> int:
    raise KeyError("properties")  # an aggregation that met a shape nobody expected


async def _denied() -> int:
    raise SurfaceError(Failure("permission"))


async def _fine() -> int:
    return 7


def test_unexpected_exception_becomes_a_surface_error_with_the_surface_route() -> None:
    outcome = asyncio.run(outcome_of("G11", _broken))
    assert not outcome.available
    assert outcome.failures == (
        Failure("error", "graph request /applications?$select&$top failed: invalid JSON response"),
    )


def test_fatal_errors_still_end_the_run() -> None:
    async def fatal() -> int:
        raise AuthError("token request for graph failed: status=401")

    with pytest.raises(AuthError):
        asyncio.run(outcome_of("G3", fatal))


def test_per_item_keeps_every_result_and_every_failure_in_item_order() -> None:
    calls = {"fine": _fine, "broken": _broken, "denied": _denied}
    items = ["fine", "broken", "denied", "fine"]
    values, failures = asyncio.run(per_item("A10", items, lambda item: calls[item]()))
    assert values == [7, None, None, 7]
    assert failures == (
        Failure(
            "error",
            "arm request [resource_id]/transparentDataEncryption/current?api-version failed: "
            "invalid JSON response",
        ),
        Failure("permission"),
    )


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
