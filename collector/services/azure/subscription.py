"""A0: probe one subscription; a failure skips the subscription (never the run)."""

from __future__ import annotations

from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import SubscriptionContext


async def probe(ctx: SubscriptionContext) -> None:
    """Raise SurfaceError unless ARM returns the subscription to this credential."""
    client = ctx.clients.create(SubscriptionClient)
    route = ArmRoute.of(f"/subscriptions/{ctx.subscription_id}")
    async with client:
        await ctx.scope.call(client.subscriptions.get(ctx.subscription_id), route)
