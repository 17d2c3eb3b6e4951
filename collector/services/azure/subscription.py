"""A0: probe one subscription; a failure skips the subscription (never the run)."""

from __future__ import annotations

from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

from collector.clients.arm import ArmClients, ArmRoute, ArmScope


async def probe(clients: ArmClients, scope: ArmScope, subscription_id: str) -> None:
    """Raise SurfaceError unless ARM returns the subscription to this credential."""
    client = clients.create(SubscriptionClient)
    route = ArmRoute.of(f"/subscriptions/{subscription_id}")
    async with client:
        await scope.call(client.subscriptions.get(subscription_id), route)
