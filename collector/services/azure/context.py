"""What every Azure service module needs for one subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from collector.arm import ArmClients, ArmRoute, ArmScope, to_json
from collector.errors import FatalError
from collector.surfaces import Failure, SurfaceError, unexpected_shape

T = TypeVar("T")
JsonObject = dict[str, Any]


class Aggregate(Protocol):
    def add(self, item: JsonObject) -> None: ...


S = TypeVar("S", bound=Aggregate)


@dataclass(frozen=True)
class SubscriptionContext:
    """One subscription's clients factory, concurrency bounds and ID (the only ID we output)."""

    clients: ArmClients
    scope: ArmScope
    subscription_id: str

    def client(self, client_class: Callable[..., T]) -> T:
        return self.clients.create(client_class, self.subscription_id)

    def route(self, suffix: str) -> ArmRoute:
        """The sanitized route of `/subscriptions/{sub}<suffix>` for error texts."""
        return ArmRoute.of(f"/subscriptions/{self.subscription_id}{suffix}")

    def pages(self, paged: AsyncIterable[Any], route: ArmRoute) -> AsyncIterator[list[JsonObject]]:
        return self.scope.pages(paged, route, self.clients.cloud.resource_manager)

    async def get_json(self, call: Awaitable[Any], route: ArmRoute) -> JsonObject:
        """One single-object operation (no paging), as JSON."""
        return to_json(await self.scope.call(call, route))

    async def fold(
        self,
        client_class: Callable[..., Any],
        listing: Callable[[Any], AsyncIterable[Any]],
        suffix: str,
        sink: S,
    ) -> S:
        """Stream a subscription-level listing into an aggregate's `add` (one item at a time)."""
        async with self.client(client_class) as client:
            async for page in self.pages(listing(client), self.route(suffix)):
                for item in page:
                    sink.add(item)
        return sink

    async def list_all(self, paged: AsyncIterable[Any], route: ArmRoute) -> list[JsonObject]:
        """Every item of a small listing (kept only as long as its aggregate needs it)."""
        items: list[JsonObject] = []
        async for page in self.pages(paged, route):
            items.extend(page)
        return items


async def per_item(
    key: str, calls: list[Awaitable[T]]
) -> tuple[list[T | None], tuple[Failure, ...]]:
    """Run every per-item call (each one even when another fails), in item order.

    Returns one value per item (None where its call failed) and the failures in item order:
    the surface is unavailable when any call failed, and diagnostics carry one entry per
    failed call (§6.5).
    """
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, FatalError | asyncio.CancelledError):
            raise result
    failures = tuple(
        r.failure if isinstance(r, SurfaceError) else unexpected_shape(key)
        for r in results
        if isinstance(r, BaseException)
    )
    return [None if isinstance(r, BaseException) else r for r in results], failures
