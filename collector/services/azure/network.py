"""A17 network security groups (inbound SSH/RDP open to the internet, custom rules only), and
VNet flow-log coverage from A25 network watchers, A26 their flow logs and A27 virtual networks.

Resource IDs are join keys (a flow log's target, an NSG's subnets), lower-cased, never output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from azure.mgmt.network.aio import NetworkManagementClient
from azure.mgmt.network.operations._operations import (
    build_flow_logs_list_request,
    build_network_security_groups_list_all_request,
    build_network_watchers_list_all_request,
    build_virtual_networks_list_all_request,
)

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import pct
from collector.core.outcomes import Failure
from collector.core.registry import invalid_id
from collector.core.resource_ids import parent_of

ANY_SOURCE: Final = frozenset({"*", "any", "internet", "0.0.0.0/0", "::/0"})
OPEN_PROTOCOLS: Final = frozenset({"*", "any", "tcp"})


SECURITY_GROUPS = Listing(
    NetworkManagementClient,
    lambda sub: build_network_security_groups_list_all_request(subscription_id=sub),
    "/providers/Microsoft.Network/networkSecurityGroups",
)


def _is_port(text: str) -> bool:
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def covers(candidate: str, port: int) -> bool:
    """Whether a destination port expression (`*`, `22`, `20-30`, `22,3389`) includes `port`."""
    candidate = candidate.strip()
    if candidate == "*":
        return True
    if "," in candidate:
        return any(covers(part, port) for part in candidate.split(","))
    if "-" in candidate:
        low, _, high = (part.strip() for part in candidate.partition("-"))
        return _is_port(low) and _is_port(high) and int(low) <= port <= int(high)
    return _is_port(candidate) and int(candidate) == port


def rule_opens(rule: dict[str, Any], port: int) -> bool:
    props = jp.get(rule, "properties")
    if jp.lower(props, "access") != "allow" or jp.lower(props, "direction") != "inbound":
        return False
    if jp.text(props, "protocol").strip().lower() not in OPEN_PROTOCOLS:
        return False
    sources = [jp.text(props, "sourceAddressPrefix"), *jp.strings(props, "sourceAddressPrefixes")]
    if not any(source.strip().lower() in ANY_SOURCE for source in sources):
        return False
    ports = [jp.text(props, "destinationPortRange"), *jp.strings(props, "destinationPortRanges")]
    return any(covers(candidate, port) for candidate in ports)


def opens(nsg: dict[str, Any], port: int) -> bool:
    return any(rule_opens(rule, port) for rule in jp.objects(nsg, "properties", "securityRules"))


@dataclass
class SecurityGroups:
    count: int = 0
    ssh_open: int = 0
    rdp_open: int = 0
    subnets: dict[str, list[str]] = field(default_factory=dict)  # NSG ID → its subnets' IDs

    def add(self, nsg: dict[str, Any]) -> None:
        self.count += 1
        self.ssh_open += opens(nsg, 22)
        self.rdp_open += opens(nsg, 3389)
        if nsg_id := jp.resource_id(nsg):
            self.subnets[nsg_id] = [
                jp.resource_id(subnet) for subnet in jp.objects(nsg, "properties", "subnets")
            ]

    def share(self, numerator: int) -> int | None:
        return pct(numerator, self.count)


async def fetch(ctx: SubscriptionContext) -> SecurityGroups:
    return await ctx.fold(SECURITY_GROUPS, SecurityGroups())


WATCHERS = Listing(
    NetworkManagementClient,
    lambda sub: build_network_watchers_list_all_request(subscription_id=sub),
    "/providers/Microsoft.Network/networkWatchers",
)
VIRTUAL_NETWORKS = Listing(
    NetworkManagementClient,
    lambda sub: build_virtual_networks_list_all_request(subscription_id=sub),
    "/providers/Microsoft.Network/virtualNetworks",
)


@dataclass
class ResourceIds:
    """A listing reduced to its items' IDs, as Azure spells them (A25 watchers, A27 VNets)."""

    ids: list[str] = field(default_factory=list)

    def add(self, item: dict[str, Any]) -> None:
        self.ids.append(jp.text(item, "id"))


async def fetch_watchers(ctx: SubscriptionContext) -> ResourceIds:
    return await ctx.fold(WATCHERS, ResourceIds())


async def fetch_virtual_networks(ctx: SubscriptionContext) -> ResourceIds:
    return await ctx.fold(VIRTUAL_NETWORKS, ResourceIds())


async def _enabled_targets(ctx: SubscriptionContext, client: Any, watcher_id: str) -> list[str]:
    parent = parent_of(watcher_id, "networkwatchers")
    if parent is None:
        raise invalid_id("A26")
    route = ArmRoute.of(f"{watcher_id}/flowLogs")
    request = build_flow_logs_list_request(parent.resource_group, parent.name, ctx.subscription_id)
    targets: list[str] = []
    async for page in ctx.pages(client, request, route):
        targets.extend(
            jp.lower(flow_log, "properties", "targetResourceId")
            for flow_log in page
            if jp.is_true(flow_log, "properties", "enabled")
        )
    return targets


async def fetch_flow_log_targets(
    ctx: SubscriptionContext, watchers: ResourceIds
) -> tuple[list[str], tuple[Failure, ...]]:
    """A26: the targets of every enabled flow log, over every watcher; failures per call."""
    targets, failures = await ctx.each(
        NetworkManagementClient,
        "A26",
        watchers.ids,
        lambda client, wid: _enabled_targets(ctx, client, wid),
    )
    return [target for found in targets for target in found or ()], failures


def covered_networks(
    networks: Sequence[str], targets: Sequence[str], groups: SecurityGroups
) -> int:
    """VNets with flow logging (v1.1 §V.8): a flow log on the VNet or one of its subnets, or on
    an NSG attached to one of its subnets (legacy NSG flow logs). NIC flow logs do not count."""
    subnets_logged = [s for target in targets for s in groups.subnets.get(target, [])]
    covered = 0
    for network in (n.lower() for n in networks):
        inside = network + "/subnets/"
        covered += any(target == network or target.startswith(inside) for target in targets) or any(
            subnet.startswith(inside) for subnet in subnets_logged
        )
    return covered
