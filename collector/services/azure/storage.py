"""A6 storage accounts: transport, TLS, encryption, public-access and shared-key hygiene
(§5.2.6, v1.1 §V.8)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from azure.mgmt.storage.aio import StorageManagementClient
from azure.mgmt.storage.operations._operations import build_storage_accounts_list_request

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import parse_timestamp, pct

KEY_ROTATION: Final = timedelta(days=90)
TLS12_OR_LATER: Final = frozenset({"TLS1_2", "TLS1_3", "1_2", "1_3"})


STORAGE_ACCOUNTS = Listing(
    StorageManagementClient,
    lambda sub: build_storage_accounts_list_request(subscription_id=sub),
    "/providers/Microsoft.Storage/storageAccounts",
)


def tls12(version: str) -> bool:
    return version.replace(".", "_").upper() in TLS12_OR_LATER


def encrypted_at_rest(account: dict[str, Any]) -> bool:
    """ear(a): among blob and file services present, one is enabled and none disabled."""
    services = [
        jp.get(account, "properties", "encryption", "services", name) for name in ("blob", "file")
    ]
    present = [service for service in services if isinstance(service, dict)]
    return any(s.get("enabled") is True for s in present) and not any(
        s.get("enabled") is False for s in present
    )


@dataclass
class StorageAccounts:
    count: int = 0
    https_only: int = 0
    min_tls12: int = 0
    cmk: int = 0
    infrastructure: int = 0
    public_access_blocked: int = 0
    at_rest: int = 0
    shared_key_disabled: int = 0  # allowSharedKeyAccess is false
    # For each account whose shared keys still work: the older of its two keys' creation
    # times, or None when either does not parse (v1.1 §V.8 key rotation).
    oldest_keys: list[datetime | None] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def add(self, account: dict[str, Any]) -> None:
        self.count += 1
        self.https_only += jp.is_true(account, "properties", "supportsHttpsTrafficOnly")
        self.min_tls12 += tls12(jp.text(account, "properties", "minimumTlsVersion"))
        key_source = jp.text(account, "properties", "encryption", "keySource").replace(" ", "")
        self.cmk += key_source.lower() == "microsoft.keyvault"
        self.infrastructure += jp.is_true(
            account, "properties", "encryption", "requireInfrastructureEncryption"
        )
        self.public_access_blocked += jp.is_false(
            account, "properties", "allowBlobPublicAccess"
        ) and (jp.lower(account, "properties", "publicNetworkAccess") == "disabled")
        self.at_rest += encrypted_at_rest(account)
        if jp.is_false(account, "properties", "allowSharedKeyAccess"):
            self.shared_key_disabled += 1
        else:
            created = [
                parse_timestamp(jp.get(account, "properties", "keyCreationTime", key))
                for key in ("key1", "key2")
            ]
            self.oldest_keys.append(None if None in created else min(filter(None, created)))
        if jp.text(account, "id"):
            self.ids.append(jp.text(account, "id"))

    def share(self, numerator: int) -> int | None:
        return pct(numerator, self.count)

    def key_rotation_compliant(self, now: datetime) -> int:
        """Accounts without shared keys, or whose both keys are younger than 90 days."""
        cutoff = now - KEY_ROTATION
        return self.shared_key_disabled + sum(
            1 for oldest in self.oldest_keys if oldest is not None and oldest >= cutoff
        )


async def fetch(ctx: SubscriptionContext) -> StorageAccounts:
    return await ctx.fold(STORAGE_ACCOUNTS, StorageAccounts())
