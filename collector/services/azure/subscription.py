"""A0: probe one subscription; a failure skips the subscription (never the run)."""

from __future__ import annotations

from azure.mgmt.resource.subscriptions.aio import SubscriptionClient
from azure.mgmt.resource.subscriptions.operations._operations import (
    build_subscriptions_get_request,
)

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import SubscriptionContext


async def probe(ctx: SubscriptionContext) -> None:
    """Raise SurfaceError unless ARM returns the subscription to this credential."""
    client = ctx.clients.create(SubscriptionClient)
    route = ArmRoute.of(f"/subscriptions/{ctx.subscription_id}")
    async with client:
        request = build_subscriptions_get_request(ctx.subscription_id)
        await ctx.get_json(client, request, route)
