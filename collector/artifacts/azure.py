"""`artifacts/microsoft-cloud.azure.json` (contract §5.2): one account per readable subscription."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from collector.artifacts import identity
from collector.collection.results import EntraResults, RunResults, SubscriptionResults
from collector.core.metrics import format_timestamp, pct
from collector.core.registry import monitored_resources
from collector.services.azure.backup import BackupEstate, Vault
from collector.services.azure.compute import PublicIps, VirtualMachines
from collector.services.azure.defender import DefenderPlans, PatchAssessments
from collector.services.azure.inventory import Inventory
from collector.services.azure.keyvault import KeyVaults
from collector.services.azure.monitoring import ActivityLogExport
from collector.services.azure.network import ResourceIds, SecurityGroups, covered_networks
from collector.services.azure.policy import ComplianceSummary
from collector.services.azure.rbac import OwnerAssignments
from collector.services.azure.sql import SqlAdministrators, SqlServers
from collector.services.azure.storage import StorageAccounts

PATH = "artifacts/microsoft-cloud.azure.json"

# Key order of every trust-level block of an account (§5.2.3–§5.2.12).
BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "defender": (
        "secure_score_pct",
        "unpatched_pct",
        "plans_standard_count",
        "plans_count",
        "servers_plan_enabled",
    ),
    "rbac": ("owner_count", "owner_service_principal_count"),
    "policy": ("assignments_count", "compliant_pct", "noncompliant_resources_count"),
    "storage": (
        "storage_accounts_count",
        "https_only_pct",
        "min_tls12_pct",
        "encryption_cmk_pct",
        "infrastructure_encryption_pct",
        "public_access_blocked_pct",
        "shared_key_disabled_pct",
        "key_rotation_compliant_pct",
    ),
    "keyvault": (
        "vaults_count",
        "purge_protection_pct",
        "rbac_authorization_pct",
        "public_network_access_disabled_pct",
        "soft_delete_pct",
    ),
    "sql": (
        "servers_count",
        "databases_count",
        "tde_enabled_pct",
        "min_tls12_pct",
        "public_access_disabled_pct",
        "auditing_enabled_pct",
        "entra_admin_pct",
        "entra_only_auth_pct",
    ),
    "compute": ("virtual_machines_count", "disk_encryption_pct", "public_ip_pct"),
    "backup": (
        "retention_days_min",
        "protected_resource_pct",
        "latest_successful_backup_age_hours_max",
        "failed_jobs_7d_count",
        "vault_soft_delete_pct",
        "vault_immutability_pct",
    ),
    "network": (
        "network_security_groups_count",
        "public_ip_addresses_count",
        "ssh_open_to_world_pct",
        "rdp_open_to_world_pct",
        "virtual_networks_count",
        "flow_logs_pct",
    ),
    "logging": (
        "subscription_diagnostic_settings_enabled",
        "activity_log_administrative_exported",
        "diagnostic_settings_coverage_pct",
        "monitored_resources_count",
        "resources_without_diagnostics_count",
    ),
}


def _defender(account: SubscriptionResults) -> dict[str, Any]:
    assessments: PatchAssessments | None = account.value("A2")
    plans: DefenderPlans | None = account.value("A22")
    return {
        "secure_score_pct": account.value("A1"),
        "unpatched_pct": assessments.unpatched_pct if assessments else None,
        "plans_standard_count": plans.standard if plans else None,
        "plans_count": plans.count if plans else None,
        "servers_plan_enabled": plans.servers_enabled if plans else None,
    }


def _rbac(account: SubscriptionResults) -> dict[str, Any]:
    owners: OwnerAssignments | None = account.value("A3")
    return {
        "owner_count": owners.owner_count if owners else None,
        "owner_service_principal_count": owners.owner_service_principal_count if owners else None,
    }


def _policy(account: SubscriptionResults) -> dict[str, Any]:
    assignments: int | None = account.value("A4")
    summary: ComplianceSummary | None = account.value("A5") if assignments != 0 else None
    return {
        "assignments_count": assignments,
        "compliant_pct": summary.compliant_pct if summary else None,
        "noncompliant_resources_count": summary.noncompliant if summary else None,
    }


def _storage(account: SubscriptionResults, now: datetime) -> dict[str, Any]:
    sa: StorageAccounts | None = account.value("A6")
    if sa is None:
        return dict.fromkeys(BLOCK_KEYS["storage"])
    return {
        "storage_accounts_count": sa.count,
        "https_only_pct": sa.share(sa.https_only),
        "min_tls12_pct": sa.share(sa.min_tls12),
        "encryption_cmk_pct": sa.share(sa.cmk),
        "infrastructure_encryption_pct": sa.share(sa.infrastructure),
        "public_access_blocked_pct": sa.share(sa.public_access_blocked),
        "shared_key_disabled_pct": sa.share(sa.shared_key_disabled),
        "key_rotation_compliant_pct": sa.share(sa.key_rotation_compliant(now)),
    }


def encryption_at_rest_pct(account: SubscriptionResults) -> int | None:
    """EAR_pct of §5.2.6 (feeds cloud-posture `storage.encryption_pct`)."""
    sa: StorageAccounts | None = account.value("A6")
    return sa.share(sa.at_rest) if sa else None


def _keyvault(account: SubscriptionResults) -> dict[str, Any]:
    kv: KeyVaults | None = account.value("A7")
    return {
        "vaults_count": kv.count if kv else None,
        "purge_protection_pct": pct(kv.purge_protection, kv.count) if kv else None,
        "rbac_authorization_pct": pct(kv.rbac_authorization, kv.count) if kv else None,
        "public_network_access_disabled_pct": pct(kv.network_closed, kv.count) if kv else None,
        "soft_delete_pct": pct(kv.soft_delete, kv.count) if kv else None,
    }


def _sql(account: SubscriptionResults) -> dict[str, Any]:
    servers: SqlServers | None = account.value("A8")
    databases: list[str] | None = account.value("A9")
    tde: int | None = account.value("A10")
    auditing: int | None = account.value("A23")
    admins: SqlAdministrators | None = account.value("A24")
    return {
        "servers_count": servers.count if servers else None,
        "databases_count": len(databases) if databases is not None else None,
        "tde_enabled_pct": pct(tde, len(databases))
        if databases is not None and tde is not None
        else None,
        "min_tls12_pct": servers.share(servers.min_tls12) if servers else None,
        "public_access_disabled_pct": servers.share(servers.public_access_disabled)
        if servers
        else None,
        "auditing_enabled_pct": servers.share(auditing)
        if servers and auditing is not None
        else None,
        "entra_admin_pct": servers.share(admins.entra_admin) if servers and admins else None,
        "entra_only_auth_pct": servers.share(admins.entra_only) if servers and admins else None,
    }


def _compute(account: SubscriptionResults) -> dict[str, Any]:
    vms: VirtualMachines | None = account.value("A11")
    ips: PublicIps | None = account.value("A12")
    return {
        "virtual_machines_count": vms.count if vms else None,
        "disk_encryption_pct": pct(vms.encrypted, vms.count) if vms else None,
        "public_ip_pct": vms.public_ip_pct(frozenset(ips.nic_ids)) if vms and ips else None,
    }


def _protected_resource_pct(
    account: SubscriptionResults, estate: BackupEstate | None
) -> int | None:
    vms: VirtualMachines | None = account.value("A11")
    databases: list[str] | None = account.value("A9")
    if vms is None or databases is None or not account.outcome("A13").available:
        return None
    if estate is None and account.value("A13"):
        return None  # vaults exist but A14 did not complete
    protected = estate.protected_source_ids() if estate is not None else set()
    if protected is None:
        return None
    candidates = [*vms.ids, *databases]
    covered = sum(1 for rid in candidates if rid and rid.lower() in protected)
    return pct(covered, vms.count + len(databases))


def _backup(account: SubscriptionResults, now: datetime) -> dict[str, Any]:
    vaults: list[Vault] | None = account.value("A13")
    if vaults is None:
        return dict.fromkeys(BLOCK_KEYS["backup"])
    estate: BackupEstate | None = account.outcome("A14").value
    if estate is None:
        estate = BackupEstate(vaults) if not vaults else None
    return {
        "retention_days_min": estate.retention_days_min() if estate else None,
        "protected_resource_pct": _protected_resource_pct(account, estate),
        "latest_successful_backup_age_hours_max": (
            estate.latest_backup_age_hours_max(now) if estate else None
        ),
        "failed_jobs_7d_count": estate.failed_jobs_7d(now) if estate else None,
        "vault_soft_delete_pct": pct(sum(v.soft_delete for v in vaults), len(vaults)),
        "vault_immutability_pct": pct(sum(v.immutable for v in vaults), len(vaults)),
    }


def _network(account: SubscriptionResults) -> dict[str, Any]:
    groups: SecurityGroups | None = account.value("A17")
    ips: PublicIps | None = account.value("A12")
    networks: ResourceIds | None = account.value("A27")
    return {
        "network_security_groups_count": groups.count if groups else None,
        "public_ip_addresses_count": ips.count if ips else None,
        "ssh_open_to_world_pct": groups.share(groups.ssh_open) if groups else None,
        "rdp_open_to_world_pct": groups.share(groups.rdp_open) if groups else None,
        "virtual_networks_count": len(networks.ids) if networks else None,
        "flow_logs_pct": _flow_logs_pct(account, groups, networks),
    }


def _flow_logs_pct(
    account: SubscriptionResults, groups: SecurityGroups | None, networks: ResourceIds | None
) -> int | None:
    """v1.1 §V.8: null when A27, A17, A25 or any A26 call is unavailable, or #VNET = 0."""
    targets: list[str] | None = account.value("A26")
    if groups is None or networks is None or targets is None or not account.available("A25"):
        return None
    return pct(covered_networks(networks.ids, targets, groups), len(networks.ids))


def _logging(account: SubscriptionResults) -> dict[str, Any]:
    export: ActivityLogExport | None = account.value("A18")
    monitored = monitored_resources(account)
    covered: int | None = account.value("A19") if monitored else None
    if monitored is not None and not monitored:
        coverage, without = None, 0
    elif monitored is not None and covered is not None:
        coverage, without = pct(covered, len(monitored)), len(monitored) - covered
    else:
        coverage, without = None, None
    return {
        "subscription_diagnostic_settings_enabled": export.enabled if export else None,
        "activity_log_administrative_exported": export.administrative_exported if export else None,
        "diagnostic_settings_coverage_pct": coverage,
        "monitored_resources_count": len(monitored) if monitored is not None else None,
        "resources_without_diagnostics_count": without,
    }


def _account(
    account: SubscriptionResults, now: datetime, level: str, entra: EntraResults
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "account_id": account.subscription_id,
        "defender": _defender(account),
        "rbac": _rbac(account),
        "policy": _policy(account),
        "storage": _storage(account, now),
        "keyvault": _keyvault(account),
        "sql": _sql(account),
        "compute": _compute(account),
        "backup": _backup(account, now),
        "network": _network(account),
        "logging": _logging(account),
    }
    resources: Inventory | None = account.value("A20")
    if level in ("audit", "internal") and resources is not None:
        document["inventory"] = resources.block()
    if (holders := identity.build(account, entra)) is not None:
        document["identity"] = holders
    return document


def build(run: RunResults) -> dict[str, Any] | None:
    """None when no subscription could be read (the artifact is then not emitted, §4.1)."""
    if not run.accounts:
        return None
    return {
        "schema_version": "1.1.0",
        "collected_at": format_timestamp(run.now),
        "collected_at_level": run.level,
        "accounts": [_account(account, run.now, run.level, run.entra) for account in run.accounts],
        "diagnostics": run.diagnostics,
    }
