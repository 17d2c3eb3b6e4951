"""`artifacts/microsoft-cloud.azure.json` (contract §5.2): one account per readable subscription."""

from __future__ import annotations

from typing import Any

from collector.metrics import format_timestamp
from collector.results import RunResults, SubscriptionResults

PATH = "artifacts/microsoft-cloud.azure.json"

# Key order of every trust-level block of an account (§5.2.3–§5.2.12).
BLOCK_KEYS: dict[str, tuple[str, ...]] = {
    "defender": ("secure_score_pct", "unpatched_pct"),
    "rbac": ("owner_count", "owner_service_principal_count"),
    "policy": ("assignments_count", "compliant_pct", "noncompliant_resources_count"),
    "storage": (
        "storage_accounts_count",
        "https_only_pct",
        "min_tls12_pct",
        "encryption_cmk_pct",
        "infrastructure_encryption_pct",
        "public_access_blocked_pct",
    ),
    "keyvault": ("vaults_count", "purge_protection_pct", "rbac_authorization_pct"),
    "sql": (
        "servers_count",
        "databases_count",
        "tde_enabled_pct",
        "min_tls12_pct",
        "public_access_disabled_pct",
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
    ),
    "logging": (
        "subscription_diagnostic_settings_enabled",
        "activity_log_administrative_exported",
        "diagnostic_settings_coverage_pct",
        "monitored_resources_count",
        "resources_without_diagnostics_count",
    ),
}


def _account(account: SubscriptionResults) -> dict[str, Any]:
    document: dict[str, Any] = {"account_id": account.subscription_id}
    for block, keys in BLOCK_KEYS.items():
        document[block] = dict.fromkeys(keys)
    return document


def build(run: RunResults) -> dict[str, Any] | None:
    """None when no subscription could be read (the artifact is then not emitted, §4.1)."""
    if not run.accounts:
        return None
    return {
        "schema_version": "1.0.0",
        "collected_at": format_timestamp(run.now),
        "collected_at_level": run.level,
        "accounts": [_account(account) for account in run.accounts],
        "diagnostics": run.diagnostics,
    }
