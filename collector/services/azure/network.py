"""A17 network security groups: inbound SSH/RDP open to the internet (custom rules only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from azure.mgmt.network.aio import NetworkManagementClient
from azure.mgmt.network.operations._operations import build_network_security_groups_list_all_request

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import pct

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

    def add(self, nsg: dict[str, Any]) -> None:
        self.count += 1
        self.ssh_open += opens(nsg, 22)
        self.rdp_open += opens(nsg, 3389)

    def share(self, numerator: int) -> int | None:
        return pct(numerator, self.count)


async def fetch(ctx: SubscriptionContext) -> SecurityGroups:
    return await ctx.fold(SECURITY_GROUPS, SecurityGroups())
