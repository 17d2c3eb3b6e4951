"""What every Azure service module needs for one subscription: clients, bounds, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from azure.core.rest import HttpRequest

from collector.clients.arm import ArmClients, ArmRoute, ArmScope
from collector.core.outcomes import Failure
from collector.core.per_item import PER_ITEM_WORKERS, per_item

T = TypeVar("T")
X = TypeVar("X")
__all__ = ["PER_ITEM_WORKERS", "Listing", "SubscriptionContext", "per_item"]
JsonObject = dict[str, Any]


class Aggregate(Protocol):
    def add(self, item: JsonObject) -> None: ...


S = TypeVar("S", bound=Aggregate)


@dataclass(frozen=True)
class Listing:
    """One subscription-level ARM listing: the azure-mgmt client whose pipeline sends it, the
    SDK request builder call for a subscription ID, and its route under the subscription."""

    client_class: Callable[..., Any]
    request: Callable[[str], HttpRequest]
    suffix: str


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

    def _absolute(self, request: HttpRequest) -> HttpRequest:
        """SDK request builders give paths relative to the ARM origin."""
        if request.url.startswith("/"):
            request.url = self.clients.cloud.resource_manager + request.url
        return request

    def pages(
        self, client: Any, request: HttpRequest, route: ArmRoute
    ) -> AsyncIterator[list[JsonObject]]:
        return self.scope.pages(
            client,
            self._absolute(request),
            route,
            self.clients.cloud.resource_manager,
            within=f"/subscriptions/{self.subscription_id}",
        )

    async def get_json(self, client: Any, request: HttpRequest, route: ArmRoute) -> JsonObject:
        """One single-object request (no paging), as a JSON object."""
        return await self.scope.send(client, self._absolute(request), route)

    async def fold(self, listing: Listing, sink: S) -> S:
        """Stream a subscription-level listing into an aggregate's `add` (one item at a time)."""
        async with self.client(listing.client_class) as client:
            request = listing.request(self.subscription_id)
            async for page in self.pages(client, request, self.route(listing.suffix)):
                for item in page:
                    sink.add(item)
        return sink

    async def first_page(self, listing: Listing) -> list[JsonObject]:
        """Only the first page of a listing (a cheap probe: `--preflight`)."""
        async with self.client(listing.client_class) as client:
            request = listing.request(self.subscription_id)
            async for page in self.pages(client, request, self.route(listing.suffix)):
                return page
        return []

    async def each(
        self,
        client_class: Callable[..., Any],
        key: str,
        items: Sequence[X],
        call: Callable[[Any, X], Awaitable[T]],
    ) -> tuple[list[T | None], tuple[Failure, ...]]:
        """A per-item surface: `call(client, item)` for every item on one SDK client."""
        async with self.client(client_class) as client:
            return await per_item(key, items, lambda item: call(client, item))

    async def list_all(
        self, client: Any, request: HttpRequest, route: ArmRoute
    ) -> list[JsonObject]:
        """Every item of a small listing (kept only as long as its aggregate needs it)."""
        items: list[JsonObject] = []
        async for page in self.pages(client, request, route):
            items.extend(page)
        return items
