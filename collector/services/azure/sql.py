"""A8 SQL servers, A9 their databases (per server), A10 each database's TDE state, and per
server A23 auditing and A24 Entra administrators (whose `login` and `sid` are dropped on
arrival: only the administrator type and the Entra-only flag are kept)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.sql.aio import SqlManagementClient
from azure.mgmt.sql.operations._operations import (
    build_databases_list_by_server_request,
    build_server_azure_ad_administrators_list_by_server_request,
    build_server_blob_auditing_policies_get_request,
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
    lists, failures = await ctx.each(
        SqlManagementClient, "A9", servers.ids, lambda client, sid: _databases_of(ctx, client, sid)
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


def _server_parent(key: str, server_id: str) -> tuple[str, str]:
    parent = parent_of(server_id, "servers")
    if parent is None:
        raise invalid_id(key)
    return parent.resource_group, parent.name


async def _auditing_enabled(ctx: SubscriptionContext, client: Any, server_id: str) -> bool:
    group, name = _server_parent("A23", server_id)
    route = ArmRoute.of(f"{server_id}/auditingSettings/default")
    request = build_server_blob_auditing_policies_get_request(group, name, ctx.subscription_id)
    document = await ctx.get_json(client, request, route)
    return jp.lower(document, "properties", "state") == "enabled"


async def fetch_auditing(
    ctx: SubscriptionContext, servers: SqlServers
) -> tuple[int, tuple[Failure, ...]]:
    """A23: how many servers have blob auditing `Enabled`; failures per call."""
    states, failures = await ctx.each(
        SqlManagementClient,
        "A23",
        servers.ids,
        lambda client, sid: _auditing_enabled(ctx, client, sid),
    )
    return sum(1 for enabled in states if enabled), failures


@dataclass(frozen=True)
class EntraAdministration:
    """A24 for one server, reduced on arrival (no login, no sid)."""

    entra_admin: bool
    entra_only: bool


async def _administration(
    ctx: SubscriptionContext, client: Any, server_id: str
) -> EntraAdministration:
    group, name = _server_parent("A24", server_id)
    route = ArmRoute.of(f"{server_id}/administrators")
    request = build_server_azure_ad_administrators_list_by_server_request(
        group, name, ctx.subscription_id
    )
    entra_admin = entra_only = False
    async for page in ctx.pages(client, request, route):
        for admin in page:
            kind = jp.lower(admin, "properties", "administratorType")
            entra_admin = entra_admin or kind == "activedirectory"
            entra_only = entra_only or jp.is_true(admin, "properties", "azureADOnlyAuthentication")
    return EntraAdministration(entra_admin, entra_only)


@dataclass(frozen=True)
class SqlAdministrators:
    entra_admin: int
    entra_only: int


async def fetch_administrators(
    ctx: SubscriptionContext, servers: SqlServers
) -> tuple[SqlAdministrators, tuple[Failure, ...]]:
    """A24: servers with an Entra administrator, and with Entra-only authentication."""
    found, failures = await ctx.each(
        SqlManagementClient,
        "A24",
        servers.ids,
        lambda client, sid: _administration(ctx, client, sid),
    )
    known = [f for f in found if f is not None]
    return SqlAdministrators(
        sum(f.entra_admin for f in known), sum(f.entra_only for f in known)
    ), failures
