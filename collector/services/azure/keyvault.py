"""A7 Key Vaults (management plane only): purge protection, RBAC authorization, network
exposure and soft delete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.keyvault.aio import KeyVaultManagementClient
from azure.mgmt.keyvault.operations._operations import build_vaults_list_by_subscription_request

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp

VAULTS = Listing(
    KeyVaultManagementClient,
    lambda sub: build_vaults_list_by_subscription_request(subscription_id=sub),
    "/providers/Microsoft.KeyVault/vaults",
)


@dataclass
class KeyVaults:
    count: int = 0
    purge_protection: int = 0
    rbac_authorization: int = 0
    network_closed: int = 0  # public network access disabled, or the firewall denies by default
    soft_delete: int = 0  # enableSoftDelete is not false (on by default since 2020)
    ids: list[str] = field(default_factory=list)

    def add(self, vault: dict[str, Any]) -> None:
        self.count += 1
        self.purge_protection += jp.is_true(vault, "properties", "enablePurgeProtection")
        self.rbac_authorization += jp.is_true(vault, "properties", "enableRbacAuthorization")
        self.network_closed += (
            jp.lower(vault, "properties", "publicNetworkAccess") == "disabled"
            or jp.lower(vault, "properties", "networkAcls", "defaultAction") == "deny"
        )
        self.soft_delete += not jp.is_false(vault, "properties", "enableSoftDelete")
        if jp.text(vault, "id"):
            self.ids.append(jp.text(vault, "id"))


async def fetch(ctx: SubscriptionContext) -> KeyVaults:
    return await ctx.fold(VAULTS, KeyVaults())
