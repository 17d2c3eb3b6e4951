"""Runs one scope's surfaces (the tenant, or one subscription) in registry dependency order.

Each surface starts as soon as its parents have completed and its gate (core.registry) is
open, so independent surfaces run concurrently and dependent ones never wait for unrelated
work. Outcomes are stored by key as they complete; diagnostics are rendered later in canonical
order, so the scheduling never changes the output.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from collector.core.outcomes import Failure, Outcome, SurfaceResults
from collector.core.registry import Scope, Surface, gate_open, outcome_of, scope_surfaces
from collector.core.tasks import run_all

Outcomes = Mapping[str, Outcome[Any]]
# Collects surface `key` (and any surface `listed_with` it) given the scope's results so far.
Runner = Callable[[str, SurfaceResults], Awaitable[Outcomes]]


def fetched(fetch: Callable[[SurfaceResults], Awaitable[Any]]) -> Runner:
    """A surface whose fetch returns its aggregate (or raises SurfaceError)."""

    async def run(key: str, results: SurfaceResults) -> Outcomes:
        return {key: await outcome_of(key, lambda: fetch(results))}

    return run


def per_item(
    fetch: Callable[[SurfaceResults], Awaitable[tuple[Any, tuple[Failure, ...]]]],
) -> Runner:
    """A per-item surface: its fetch returns the aggregate and every failed call's Failure."""

    async def run(key: str, results: SurfaceResults) -> Outcomes:
        outcome = await outcome_of(key, lambda: fetch(results))
        if outcome.value is None:
            return {key: outcome}
        value, failures = outcome.value
        return {key: Outcome(value, failures)}

    return run


async def collect_scope(
    scope: Scope, level: str, runners: Mapping[str, Runner], results: SurfaceResults
) -> None:
    """Fill `results` with every surface of `scope` that the rules call at `level`."""
    rows = [row for row in scope_surfaces(scope) if row.at(level)]
    finished = {row.key: asyncio.Event() for row in scope_surfaces(scope)}
    for row in scope_surfaces(scope):
        if not row.at(level):
            finished[row.key].set()  # not collected at this level: nothing waits for it

    async def one(row: Surface) -> None:
        try:
            for parent in row.parents:
                await finished[parent].wait()
            if gate_open(row, results):
                results.outcomes.update(await runners[row.key](row.key, results))
        finally:
            for other in rows:
                if row.key in (other.key, other.listed_with):
                    finished[other.key].set()

    await run_all(one(row) for row in rows if row.listed_with is None)
