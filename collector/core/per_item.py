"""Per-item calls (A9, A10, A14–A16, A19, G18): every item's call, a few at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Final, TypeVar

from collector.core.errors import FatalError
from collector.core.outcomes import Failure, SurfaceError, internal_error
from collector.core.registry import surface
from collector.core.tasks import run_all

T = TypeVar("T")
X = TypeVar("X")

PER_ITEM_WORKERS: Final = 8  # as many as one subscription may have requests in flight


async def per_item(
    key: str,
    items: Sequence[X],
    call: Callable[[X], Awaitable[T]],
    stop: Callable[[Failure], bool] | None = None,
) -> tuple[list[T | None], tuple[Failure, ...]]:
    """Run `call` for every item (each one even when another fails), in item order.

    Returns one value per item (None where its call failed) and the failures in item order:
    the surface is unavailable when any call failed, and diagnostics carry one entry per
    failed call (§6.5). A few workers walk the items, so a subscription with thousands of
    monitored resources holds a handful of calls in memory, not thousands (issue 8).

    A failure for which `stop` is true ends the walk: the items not yet called stay None
    (G18 stops at the first 403, since a missing permission denies every group alike).
    """
    values: list[T | None] = [None] * len(items)
    failures: list[Failure | None] = [None] * len(items)
    pending = iter(range(len(items)))
    stopped = False

    async def worker() -> None:
        nonlocal stopped
        for index in pending:
            if stopped:
                return
            try:
                values[index] = await call(items[index])
            except FatalError:
                raise
            except SurfaceError as error:
                failures[index] = error.failure
                stopped = stopped or (stop is not None and stop(error.failure))
            except Exception as error:
                row = surface(key)
                failures[index] = internal_error(key, row.service, row.route, error)

    # a FatalError in one worker ends the others
    await run_all(worker() for _ in range(min(PER_ITEM_WORKERS, len(items))))
    return values, tuple(f for f in failures if f is not None)
