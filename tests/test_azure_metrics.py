"""Every azure and cloud-posture field pinned on the hand-built estate (tests/tenants/azure_estate.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import validate_envelope
from tests.runner import Run, base_config, epack_env, run_in_process
from tests.simulator import Simulator
from tests.tenants.azure_estate import S1, S2, S3, azure_estate
from tests.tenants.entra_tenant import entra_tenant


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """One simulator and one run for the whole table: every test reads the same evidence."""
    tenant = entra_tenant()
    azure_estate(tenant)
    with Simulator(tenant) as running:
        yield running


@pytest.fixture(scope="module")
def run(sim: Simulator) -> Run:
    result = run_in_process(base_config(sim, subscription_ids=[S1, S2, S3]), epack_env(sim))
    assert result.returncode == 0, result.stderr
    validate_envelope(result)
    return result


def account(run: Run, sub: str) -> dict[str, Any]:
    azure = run.artifact("azure.json")
    assert azure is not None
    return next(a for a in azure["accounts"] if a["account_id"] == sub)


def test_busy_subscription(run: Run) -> None:
    assert (
        account(run, S1)
        == {
            "account_id": S1,
            "defender": {
                "secure_score_pct": 71,  # percentage 0.7121 > 0 → 71.21
                "unpatched_pct": 67,  # matching: a1 (vulnerab) U, a2 (update) H, a4 (category patch) N/A, a5 U → 2/3
                # v1.1 A22: VirtualMachines, SqlServers, KeyVaults ("standard", ci) of 4 plans
                "plans_standard_count": 3,
                "plans_count": 4,
                "servers_plan_enabled": True,  # VirtualMachines is Standard
            },
            "rbac": {
                "owner_count": 6,
                "owner_service_principal_count": 3,
            },  # r1 r2 r3 (upper-case GUID), r6 r10 r11; r2 r10 r11 are SPs
            "policy": {
                "assignments_count": 2,
                "compliant_pct": 70,
                "noncompliant_resources_count": 3,
            },  # 7/(7+3)
            "storage": {
                "storage_accounts_count": 4,
                "https_only_pct": 75,  # sa1 sa3 sa4
                "min_tls12_pct": 75,  # TLS1_2, TLS1_3, "1.2"
                "encryption_cmk_pct": 50,  # "Microsoft.Keyvault", "Microsoft. KeyVault"
                "infrastructure_encryption_pct": 25,  # sa1
                "public_access_blocked_pct": 50,  # sa1 (Disabled), sa4 (disabled); sa3 network Enabled
                "shared_key_disabled_pct": 25,  # sa1 (allowSharedKeyAccess false) → 1/4
                # sa1 (no shared keys), sa3 (keys 5 and 30 days old); sa2's key2 is 100 days
                # old, sa4 has no key2 creation time → 2/4
                "key_rotation_compliant_pct": 50,
            },
            "keyvault": {
                "vaults_count": 3,
                "purge_protection_pct": 33,
                "rbac_authorization_pct": 67,
                # kv1 publicNetworkAccess Disabled, kv2 firewall defaultAction Deny → 2/3
                "public_network_access_disabled_pct": 67,
                "soft_delete_pct": 67,  # kv1 true, kv3 absent (on by default); kv2 false → 2/3
            },
            "sql": {
                "servers_count": 2,
                "databases_count": 3,  # db1 db2 db3 (master excluded)
                "tde_enabled_pct": 67,  # Enabled, Disabled, enabled → 2/3
                "min_tls12_pct": 50,
                "public_access_disabled_pct": 50,
                "auditing_enabled_pct": 50,  # A23: srv1 Enabled, srv2 Disabled
                "entra_admin_pct": 100,  # A24: both have an ActiveDirectory administrator
                "entra_only_auth_pct": 50,  # srv1 only
            },
            "compute": {
                "virtual_machines_count": 3,
                "disk_encryption_pct": 67,  # vm1 managed+managed, vm3 managed; vm2 unmanaged data disk
                "public_ip_pct": 33,  # pip1 → nic1 (case-insensitive) → vm1; lb frontend not attributed
            },
            "backup": {
                "retention_days_min": 7,  # 30, 84 days (v1); 30 (1 month), 7 (durationCountInDays) (v2)
                "protected_resource_pct": 33,  # protected sources vm1, vm3 of VMS+DB = 6 (pi2 is ProtectionError)
                "latest_successful_backup_age_hours_max": 50,  # pi1 10 h, pi2 30 h (job j2), pi4 50 h; pi5 sentinel dropped
                "failed_jobs_7d_count": 2,  # j1 (2 d), j4 (no operation, 1 h); j3 is 9 d old
                "vault_soft_delete_pct": 50,  # AlwaysON vs Disabled
                "vault_immutability_pct": 50,  # Locked vs none
            },
            "network": {
                "network_security_groups_count": 4,
                "public_ip_addresses_count": 3,
                "ssh_open_to_world_pct": 25,  # nsg1
                "rdp_open_to_world_pct": 25,  # nsg2 (Internet in prefixes, 3380-3390)
                "virtual_networks_count": 4,
                # vnet1 (its own flow log, ID upper-cased), vnet2 (a subnet's), vnet3 (the legacy
                # flow log of nsg4, which sits on vnet3's subnet); vnet4 only has a disabled
                # flow log and a NIC's → 3/4
                "flow_logs_pct": 75,
            },
            "logging": {
                "subscription_diagnostic_settings_enabled": True,
                "activity_log_administrative_exported": True,
                "diagnostic_settings_coverage_pct": 33,  # sa1 kv1 srv1 db1 vm1 of MON = 4+3+2+3+3 = 15
                "monitored_resources_count": 15,
                "resources_without_diagnostics_count": 10,  # kv2 has no enabled category, sa2 no destination
            },
            # v1.1 A3 joined with Entra: Owner users p1 (not in the directory) and u10; with
            # Contributor u5, User Access Administrator u7 and RBAC Administrator u99 too
            "identity": {
                "owner_users_count": 2,
                "owner_users_mfa_registered_pct": 50,  # u10 registered; p1 has no row → 1/2
                "privileged_users_count": 5,
                # p1 and u99 are gone from the directory, u5 is disabled, u7 inactive 200 days
                "privileged_users_inactive_count": 4,
                "privileged_guests_count": 1,  # u7
                # SP owners p2 (not listed), sp2 (its own unexpired password), sp4 (no
                # credential, but its application app1, same appId, holds one) → 2
                "owner_service_principals_with_password_count": 2,
            },
        }
    )


def test_empty_subscription_has_null_percentages_and_real_zero_counts(run: Run) -> None:
    empty = account(run, S2)
    assert empty["defender"] == {
        "secure_score_pct": None,
        "unpatched_pct": None,
        "plans_standard_count": 0,  # one plan, Free
        "plans_count": 1,
        "servers_plan_enabled": False,
    }  # max 0; no patch assessments
    # no role assignments: zero holders, and a share of nobody is null
    assert empty["identity"] == {
        "owner_users_count": 0,
        "owner_users_mfa_registered_pct": None,
        "privileged_users_count": 0,
        "privileged_users_inactive_count": 0,
        "privileged_guests_count": 0,
        "owner_service_principals_with_password_count": 0,
    }
    # no servers: the per-server shares are null; no VNets: flow-log coverage is null
    assert [empty["sql"][k] for k in ("auditing_enabled_pct", "entra_admin_pct")] == [None, None]
    assert (empty["network"]["virtual_networks_count"], empty["network"]["flow_logs_pct"]) == (
        0,
        None,
    )
    assert empty["policy"] == {
        "assignments_count": 0,
        "compliant_pct": None,
        "noncompliant_resources_count": None,
    }
    assert (
        empty["storage"]["storage_accounts_count"] == 0
        and empty["storage"]["https_only_pct"] is None
    )
    assert empty["sql"] == {
        "servers_count": 0,
        "databases_count": 0,
        "tde_enabled_pct": None,
        "min_tls12_pct": None,
        "public_access_disabled_pct": None,
        "auditing_enabled_pct": None,
        "entra_admin_pct": None,
        "entra_only_auth_pct": None,
    }
    assert empty["backup"] == dict.fromkeys(empty["backup"])
    assert empty["logging"] == {
        "subscription_diagnostic_settings_enabled": False,
        "activity_log_administrative_exported": False,
        "diagnostic_settings_coverage_pct": None,
        "monitored_resources_count": 0,
        "resources_without_diagnostics_count": 0,
    }


def test_denied_subscription_and_call_budget(run: Run, sim: Simulator) -> None:
    azure = run.artifact("azure.json")
    assert azure is not None
    assert [a["account_id"] for a in azure["accounts"]] == [S1, S2]
    assert azure["diagnostics"]["subscription_errors"] == [
        f"{S3}: arm request /subscriptions/[subscription_id]?api-version failed: status=403 code=AuthorizationFailed"
    ]
    assert azure["diagnostics"]["warnings"] == []
    arm = sim.requests("arm")
    assert all(r.method == "GET" or r.path.endswith("/policyStates/latest/summarize") for r in arm)
    assert not [
        r for r in arm if r.method == "POST" and S2 in r.path
    ]  # A5 skipped with 0 assignments
    assert all(r.authorized for r in arm)
    assert {r.service for r in sim.log} <= {"login", "graph", "arm"}  # no data-plane host


def test_cloud_posture(run: Run) -> None:
    cloud = run.artifact("cloud-posture.json")
    assert cloud is not None
    iam = {
        "mfa_coverage_pct": 80,
        "root_mfa_enabled": True,
        "root_access_protected": True,
    }  # GA u10 registered
    assert cloud["provider"] == "azure"
    assert list(cloud)[:5] == [
        "schema_version",
        "collected_at",
        "provider",
        "accounts_expected",
        "accounts",
    ]
    assert cloud["accounts_expected"] == 3  # S3 is configured but denied at its probe
    assert cloud["accounts"] == [
        {
            "account_id": S1,
            "iam": iam | {"access_key_rotation_compliant_pct": 50},  # storage key rotation
            "storage": {
                "encryption_pct": 50,
                "public_access_blocked_pct": 50,
            },  # at rest: sa1 sa2 of 4
            "logging": {
                "cloudtrail_enabled": True,
                "cloudtrail_multiregion": True,
                "flow_logs_pct": 75,
            },
            "backup": {"retention_days_min": 7},
            "network": {"ssh_open_to_world_pct": 25, "rdp_open_to_world_pct": 25},
            # Defender for Servers on; unpatched as the vendor artifact
            "vuln_scanning": {"enabled": True, "unpatched_pct": 67},
        },
        {
            "account_id": S2,
            "iam": iam,  # no storage accounts: no key-rotation leaf
            "logging": {"cloudtrail_enabled": False, "cloudtrail_multiregion": False},
            "vuln_scanning": {"enabled": False},  # Servers plan Free; unpatched unknown
        },
        # after the collected ones, in config order: a 403 at the probe
        {"account_id": S3, "collection_error_code": "permission_denied"},
    ]
