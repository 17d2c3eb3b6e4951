"""Use the service modules from your own scripts, with your own azure-identity credential.

    async with Session.for_credential(credential, cloud) as session:
        accounts = await storage.fetch(session.subscription(subscription_id))
        policies = await conditional_access.fetch(session.graph)

A `Session` is the collector's own wiring (TLS from SSL_CERT_FILE, proxies, the egress
allowlist with its two read-only ARM POSTs, retries, the body cap), so a script sees exactly
what the collector would. `arm_context` and `graph_reader` are shorthands for one scope.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from collector.clients.arm_context import SubscriptionContext
from collector.clients.graph import GraphReader
from collector.clients.session import Session
from collector.core.clouds import Cloud


@asynccontextmanager
async def arm_context(
    credential: Any, subscription_id: str, cloud: Cloud | None = None
) -> AsyncIterator[SubscriptionContext]:
    """A SubscriptionContext for the `collector.services.azure` modules."""
    async with Session.for_credential(credential, cloud) as session:
        yield session.subscription(subscription_id)


@asynccontextmanager
async def graph_reader(credential: Any, cloud: Cloud | None = None) -> AsyncIterator[GraphReader]:
    """A GraphReader for the `collector.services.entra` modules."""
    async with Session.for_credential(credential, cloud) as session:
        yield session.graph
