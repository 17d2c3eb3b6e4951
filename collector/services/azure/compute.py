"""A11 virtual machines and A12 public IP addresses: disk encryption and public exposure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.compute.aio import ComputeManagementClient
from azure.mgmt.compute.operations._operations import build_virtual_machines_list_all_request
from azure.mgmt.network.aio import NetworkManagementClient
from azure.mgmt.network.operations._operations import build_public_ip_addresses_list_all_request

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import pct

VIRTUAL_MACHINES = Listing(
    ComputeManagementClient,
    lambda sub: build_virtual_machines_list_all_request(subscription_id=sub),
    "/providers/Microsoft.Compute/virtualMachines",
)

PUBLIC_IPS = Listing(
    NetworkManagementClient,
    lambda sub: build_public_ip_addresses_list_all_request(subscription_id=sub),
    "/providers/Microsoft.Network/publicIPAddresses",
)


def disk_encrypted(disk: Any) -> bool:
    """enc(d): a managed disk (platform encryption) or Azure Disk Encryption enabled."""
    if not isinstance(disk, dict):
        return False
    return bool(jp.text(disk, "managedDisk", "id")) or jp.is_true(
        disk, "encryptionSettings", "enabled"
    )


@dataclass
class VirtualMachines:
    count: int = 0
    encrypted: int = 0
    ids: list[str] = field(default_factory=list)
    nic_ids: list[frozenset[str]] = field(default_factory=list)  # per VM, lower-cased

    def add(self, vm: dict[str, Any]) -> None:
        self.count += 1
        profile = jp.get(vm, "properties", "storageProfile")
        os_disk = jp.get(profile, "osDisk")
        data_disks = jp.get(profile, "dataDisks")
        data = data_disks if isinstance(data_disks, list) else []
        self.encrypted += disk_encrypted(os_disk) and all(disk_encrypted(d) for d in data)
        if jp.text(vm, "id"):
            self.ids.append(jp.text(vm, "id"))
        nics = jp.objects(vm, "properties", "networkProfile", "networkInterfaces")
        self.nic_ids.append(frozenset(jp.lower(nic, "id") for nic in nics if jp.text(nic, "id")))

    def public_ip_pct(self, public_nics: frozenset[str]) -> int | None:
        exposed = sum(1 for nics in self.nic_ids if nics & public_nics)
        return pct(exposed, self.count)


@dataclass
class PublicIps:
    count: int = 0
    nic_ids: set[str] = field(default_factory=set)

    def add(self, address: dict[str, Any]) -> None:
        """PUBNIC: the NIC part of `properties.ipConfiguration.id` (before /ipConfigurations/)."""
        self.count += 1
        config_id = jp.lower(address, "properties", "ipConfiguration", "id")
        marker = config_id.find("/ipconfigurations/")
        if config_id and marker >= 0:
            self.nic_ids.add(config_id[:marker])


async def fetch_virtual_machines(ctx: SubscriptionContext) -> VirtualMachines:
    return await ctx.fold(VIRTUAL_MACHINES, VirtualMachines())


async def fetch_public_ips(ctx: SubscriptionContext) -> PublicIps:
    return await ctx.fold(PUBLIC_IPS, PublicIps())
