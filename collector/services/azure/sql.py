"""A8 SQL servers, A9 their databases (per server) and A10 each database's TDE state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.sql.aio import SqlManagementClient
from azure.mgmt.sql.operations._operations import (
    build_databases_list_by_server_request,
    build_servers_list_request,
    build_transparent_data_encryptions_get_request,
)

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import Listing, SubscriptionContext, per_item
from collector.core import json_paths as jp
from collector.core.metrics import pct
from collector.core.outcomes import Failure
from collector.core.registry import invalid_id
from collector.core.resource_ids import has_resource_shape, parent_of
from collector.services.azure.storage import tls12

SERVERS = Listing(
    SqlManagementClient,
    lambda sub: build_servers_list_request(subscription_id=sub),
    "/providers/Microsoft.Sql/servers",
)


@dataclass
class SqlServers:
    ids: list[str] = field(default_factory=list)
    min_tls12: int = 0
    public_access_disabled: int = 0
    count: int = 0

    def add(self, server: dict[str, Any]) -> None:
        self.count += 1
        self.ids.append(jp.text(server, "id"))
        self.min_tls12 += tls12(jp.text(server, "properties", "minimalTlsVersion"))
        self.public_access_disabled += (
            jp.lower(server, "properties", "publicNetworkAccess") == "disabled"
        )

    def share(self, numerator: int) -> int | None:
        return pct(numerator, self.count)


async def fetch_servers(ctx: SubscriptionContext) -> SqlServers:
    return await ctx.fold(SERVERS, SqlServers())


async def _databases_of(ctx: SubscriptionContext, client: Any, server_id: str) -> list[str]:
    parent = parent_of(server_id, "servers")
    if parent is None:
        raise invalid_id("A9")
    route = ArmRoute.of(f"{server_id}/databases")
    names: list[str] = []
    request = build_databases_list_by_server_request(
        parent.resource_group, parent.name, ctx.subscription_id
    )
    async for page in ctx.pages(client, request, route):
        names.extend(jp.text(db, "id") for db in page if jp.lower(db, "name") != "master")
    return names


async def fetch_databases(
    ctx: SubscriptionContext, servers: SqlServers
) -> tuple[list[str], tuple[Failure, ...]]:
    """DB: non-master database IDs of every server, in server order; failures per call."""
    async with ctx.client(SqlManagementClient) as client:
        lists, failures = await per_item(
            "A9", servers.ids, lambda sid: _databases_of(ctx, client, sid)
        )
    return [db for names in lists for db in names or ()], failures


async def _tde_enabled(ctx: SubscriptionContext, client: Any, database_id: str) -> bool:
    parent = parent_of(database_id, "servers")
    database = database_id.rstrip("/").rsplit("/", 1)[-1]
    if parent is None or not has_resource_shape(database_id):
        raise invalid_id("A10")
    route = ArmRoute.of(f"{database_id}/transparentDataEncryption/current")
    request = build_transparent_data_encryptions_get_request(
        parent.resource_group, parent.name, database, "current", ctx.subscription_id
    )
    document = await ctx.get_json(client, request, route)
    return jp.lower(document, "properties", "state") == "enabled"


async def fetch_tde(
    ctx: SubscriptionContext, database_ids: list[str]
) -> tuple[int, tuple[Failure, ...]]:
    """How many databases report TDE `Enabled`; failures per call."""
    async with ctx.client(SqlManagementClient) as client:
        states, failures = await per_item(
            "A10", database_ids, lambda d: _tde_enabled(ctx, client, d)
        )
    return sum(1 for enabled in states if enabled), failures
