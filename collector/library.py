"""Use the service modules from your own scripts, with your own azure-identity credential.

    async with arm_context(credential, subscription_id) as ctx:
        accounts = await storage.fetch(ctx)

    async with graph_reader(credential) as reader:
        policies = await conditional_access.fetch(reader)

Both give the same guarded transport the collector uses (TLS from SSL_CERT_FILE, proxies,
allowlist, retries, body cap), so a script sees exactly what the collector would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from collector.clients.arm import ArmClients, ArmScope
from collector.clients.arm_context import SubscriptionContext
from collector.clients.graph import GraphReader, build_graph_client
from collector.core.clouds import Cloud, cloud_for
from collector.transport.http import (
    EgressRule,
    GuardedTransport,
    build_http_client,
    build_ssl_context,
)

ARM_RUN_SLOTS = 16


def _default_cloud(cloud: Cloud | None) -> Cloud:
    return cloud if cloud is not None else cloud_for("AzureCloud", None)


def _guarded_transport(*origins: str) -> GuardedTransport:
    return GuardedTransport([EgressRule(origin) for origin in origins], build_ssl_context())


@asynccontextmanager
async def arm_context(
    credential: Any, subscription_id: str, cloud: Cloud | None = None
) -> AsyncIterator[SubscriptionContext]:
    """A SubscriptionContext for the `collector.services.azure` modules."""
    chosen = _default_cloud(cloud)
    async with _guarded_transport(chosen.resource_manager) as transport:
        yield SubscriptionContext(
            ArmClients(chosen, credential, transport),
            ArmScope(asyncio.Semaphore(ARM_RUN_SLOTS)),
            subscription_id,
        )


@asynccontextmanager
async def graph_reader(credential: Any, cloud: Cloud | None = None) -> AsyncIterator[GraphReader]:
    """A GraphReader for the `collector.services.entra` modules."""
    chosen = _default_cloud(cloud)
    async with build_http_client(_guarded_transport(chosen.graph)) as http:
        yield GraphReader(build_graph_client(chosen, credential, http), chosen)
