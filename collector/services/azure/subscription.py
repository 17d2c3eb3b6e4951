"""A0: probe one subscription; a failure skips the subscription (never the run)."""

from __future__ import annotations

from azure.mgmt.resource.subscriptions.aio import SubscriptionClient

from collector.arm import ArmClients, arm_call

ROUTE = "/subscriptions/[subscription_id]?api-version"


async def probe(clients: ArmClients, subscription_id: str) -> None:
    """Raise SurfaceError unless ARM returns the subscription to this credential."""
    client = clients.create(SubscriptionClient)
    async with client:
        await arm_call(client.subscriptions.get(subscription_id), ROUTE)
