"""Azure partial failures: one surface denied, malformed IDs, unregistered providers, broken items."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import validate_envelope
from tests.runner import Run, base_config, epack_env, run_in_process
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import arm_error
from tests.tenants.azure_estate import S1, azure_estate, rid
from tests.tenants.entra_tenant import entra_tenant

SA1 = rid(S1, "rg-data-secret", "Microsoft.Storage", "storageAccounts", "sasecret1")
SRV1 = rid(S1, "rg-sql-secret", "Microsoft.Sql", "servers", "srvsecret1")
WATCHER = rid(
    S1, "NetworkWatcherRG", "Microsoft.Network", "networkWatchers", "NetworkWatcher_westeurope"
)
VAULT1 = rid(S1, "rg-backup-secret", "Microsoft.RecoveryServices", "vaults", "vaultsecret1")
MON = [
    ("logging", "diagnostic_settings_coverage_pct"),
    ("logging", "monitored_resources_count"),
    ("logging", "resources_without_diagnostics_count"),
]

# (surface label, denied path, fields that must become null; `*` = the whole block)
DENIALS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Defender secure score",
        f"/subscriptions/{S1}/providers/Microsoft.Security/secureScores",
        [("defender", "secure_score_pct")],
    ),
    (
        "Defender assessments",
        f"/subscriptions/{S1}/providers/Microsoft.Security/assessments",
        [("defender", "unpatched_pct")],
    ),
    (
        "RBAC role assignments",
        f"/subscriptions/{S1}/providers/Microsoft.Authorization/roleAssignments",
        [
            ("rbac", "owner_count"),
            ("rbac", "owner_service_principal_count"),
            ("identity", "omitted"),  # §V.8: the block needs A3
        ],
    ),
    (
        "Azure Policy assignments",
        f"/subscriptions/{S1}/providers/Microsoft.Authorization/policyAssignments",
        [("policy", "assignments_count")],
    ),
    (
        "Azure Policy compliance summary",
        f"/subscriptions/{S1}/providers/Microsoft.PolicyInsights",
        [("policy", "compliant_pct"), ("policy", "noncompliant_resources_count")],
    ),
    (
        "Storage accounts",
        f"/subscriptions/{S1}/providers/Microsoft.Storage",
        [("storage", "*"), *MON],
    ),
    (
        "Key Vault inventory",
        f"/subscriptions/{S1}/providers/Microsoft.KeyVault",
        [("keyvault", "*"), *MON],
    ),
    (
        "SQL server inventory",
        f"/subscriptions/{S1}/providers/Microsoft.Sql",
        [("sql", "*"), ("backup", "protected_resource_pct"), *MON],
    ),
    (
        "SQL database inventory",
        f"{SRV1}/databases?",
        [
            ("sql", "databases_count"),
            ("sql", "tde_enabled_pct"),
            ("backup", "protected_resource_pct"),
            *MON,
        ],
    ),
    (
        "SQL transparent data encryption",
        f"{SRV1}/databases/db1/transparentDataEncryption",
        [("sql", "tde_enabled_pct")],
    ),
    (
        "Virtual machine inventory",
        f"/subscriptions/{S1}/providers/Microsoft.Compute",
        [("compute", "*"), ("backup", "protected_resource_pct"), *MON],
    ),
    (
        "Public IP inventory",
        f"/subscriptions/{S1}/providers/Microsoft.Network/publicIPAddresses",
        [("compute", "public_ip_pct"), ("network", "public_ip_addresses_count")],
    ),
    (
        "Recovery Services vault inventory",
        f"/subscriptions/{S1}/providers/Microsoft.RecoveryServices",
        [("backup", "*")],
    ),
    (
        "Backup protected items",
        f"{VAULT1}/backupProtectedItems",
        [("backup", "protected_resource_pct")],
    ),
    ("Backup policies", f"{VAULT1}/backupPolicies", [("backup", "retention_days_min")]),
    ("Backup job history", f"{VAULT1}/backupJobs", [("backup", "failed_jobs_7d_count")]),
    (
        "Network security groups",
        f"/subscriptions/{S1}/providers/Microsoft.Network/networkSecurityGroups",
        [
            ("network", "network_security_groups_count"),
            ("network", "ssh_open_to_world_pct"),
            ("network", "rdp_open_to_world_pct"),
            ("network", "flow_logs_pct"),  # legacy NSG flow logs need the NSGs' subnets
        ],
    ),
    (
        "Subscription diagnostic settings",
        f"/subscriptions/{S1}/providers/Microsoft.Insights",
        [
            ("logging", "subscription_diagnostic_settings_enabled"),
            ("logging", "activity_log_administrative_exported"),
        ],
    ),
    (
        "Resource diagnostic settings",
        f"{SA1}/providers/Microsoft.Insights",
        [
            ("logging", "diagnostic_settings_coverage_pct"),
            ("logging", "resources_without_diagnostics_count"),
        ],
    ),
    (
        "Defender plans",
        f"/subscriptions/{S1}/providers/Microsoft.Security/pricings",
        [
            ("defender", "plans_standard_count"),
            ("defender", "plans_count"),
            ("defender", "servers_plan_enabled"),
        ],
    ),
    ("SQL auditing settings", f"{SRV1}/auditingSettings", [("sql", "auditing_enabled_pct")]),
    (
        "SQL Entra administrators",
        f"{SRV1}/administrators",
        [("sql", "entra_admin_pct"), ("sql", "entra_only_auth_pct")],
    ),
    (
        "network watchers",
        f"/subscriptions/{S1}/providers/Microsoft.Network/networkWatchers",
        [("network", "flow_logs_pct")],
    ),
    ("flow logs", f"{WATCHER}/flowLogs", [("network", "flow_logs_pct")]),
    (
        "virtual networks",
        f"/subscriptions/{S1}/providers/Microsoft.Network/virtualNetworks",
        [("network", "virtual_networks_count"), ("network", "flow_logs_pct")],
    ),
]


def estate() -> Scenario:
    scenario = entra_tenant()
    azure_estate(scenario)
    return scenario


@pytest.fixture
def scenario() -> Scenario:
    return estate()


def collect(sim: Simulator) -> tuple[Run, dict[str, Any]]:
    run = run_in_process(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    azure = run.artifact("azure.json")
    assert azure is not None
    return run, azure


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    with Simulator(estate()) as sim:
        return collect(sim)[1]["accounts"][0]


def _prefix(path: str) -> str:
    return path.split("?")[0]


@pytest.mark.parametrize(("label", "path", "nulled"), DENIALS, ids=[d[0] for d in DENIALS])
def test_each_surface_denied_in_turn(
    sim: Simulator, baseline: dict[str, Any], label: str, path: str, nulled: list[tuple[str, str]]
) -> None:
    fault = Fault("arm", _prefix(path), 403, arm_error("AuthorizationFailed", "denied 'rg-secret'"))
    if path.endswith("?"):  # the listing itself, not the children below it
        fault = Fault("arm", _prefix(path), 403, arm_error("AuthorizationFailed", "x"), times=1)
    sim.scenario.faults.append(fault)
    _, azure = collect(sim)
    got = azure["accounts"][0]
    assert azure["diagnostics"]["warnings"] == [
        f"{label} unavailable for subscription {S1}: access denied; assign the Reader role to the "
        "collector's service principal on this subscription"
    ]
    assert azure["diagnostics"]["subscription_errors"] == []
    expected = {
        block: dict(fields) for block, fields in baseline.items() if isinstance(fields, dict)
    }
    for block, key in nulled:
        if key == "omitted":
            del expected[block]
            assert block not in got
            continue
        for name in expected[block] if key == "*" else [key]:
            expected[block][name] = None
    assert {block: got[block] for block in expected} == expected


def test_malformed_resource_ids_are_sanitized(sim: Simulator) -> None:
    arm = sim.scenario.arm_collections
    servers = arm[f"/subscriptions/{S1}/providers/Microsoft.Sql/servers"]
    servers.append(
        {
            "id": "/subscriptions/x/resourceGroups/rg secret/../servers/evil-name",
            "name": "evil-name",
            "properties": {"minimalTlsVersion": "1.2"},
        }
    )
    vaults = arm[f"/subscriptions/{S1}/providers/Microsoft.RecoveryServices/vaults"]
    vaults.append({"id": "not-an-arm-id-vault-secret", "name": "vault-secret-x", "properties": {}})
    run, azure = collect(sim)
    got = azure["accounts"][0]
    assert got["sql"]["servers_count"] == 3 and got["sql"]["databases_count"] is None
    assert (
        got["backup"]["retention_days_min"] is None and got["backup"]["vault_soft_delete_pct"] == 33
    )
    errors = azure["diagnostics"]["subscription_errors"]
    assert errors == [
        f"{S1}: sql_databases: arm request /subscriptions/[subscription_id]/resourceGroups/[resource_group]"
        "/providers/Microsoft.Sql/servers/[servers]/databases?api-version failed: invalid resource id",
        *(
            f"{S1}: {name}: arm request /subscriptions/[subscription_id]/resourceGroups/[resource_group]/providers/"
            f"Microsoft.RecoveryServices/vaults/[vaults]/{child}?api-version failed: invalid resource id"
            for name, child in (
                ("backup_protected_items", "backupProtectedItems"),
                ("backup_policies", "backupPolicies"),
                ("backup_jobs", "backupJobs"),
            )
        ),
        f"{S1}: sql_auditing_settings: arm request /subscriptions/[subscription_id]/resourceGroups/"
        "[resource_group]/providers/Microsoft.Sql/servers/[servers]/auditingSettings/[auditingsettings]"
        "?api-version failed: invalid resource id",
        f"{S1}: sql_entra_administrators: arm request /subscriptions/[subscription_id]/resourceGroups/"
        "[resource_group]/providers/Microsoft.Sql/servers/[servers]/administrators?api-version "
        "failed: invalid resource id",
    ]
    assert got["sql"]["auditing_enabled_pct"] is None  # one A23 call could not be made
    assert "secret" not in run.stdout and "evil" not in run.stdout


def test_unregistered_provider_and_broken_item(sim: Simulator) -> None:
    sim.scenario.faults += [
        Fault(
            "arm",
            f"/subscriptions/{S1}/providers/Microsoft.KeyVault",
            409,
            arm_error(
                "MissingSubscriptionRegistration",
                "The subscription is not registered to use namespace.",
            ),
        ),
        Fault(
            "arm",
            f"{SRV1}/databases/db2/transparentDataEncryption",
            500,
            arm_error("InternalServerError", "boom at srvsecret1"),
            headers={"Retry-After": "0"},
        ),
    ]
    _, azure = collect(sim)
    assert azure["diagnostics"]["warnings"] == [
        f"Key Vault inventory unavailable for subscription {S1}: resource provider Microsoft.KeyVault is not "
        "registered in this subscription",
        f"SQL transparent data encryption unavailable for subscription {S1}: the request failed "
        "(see subscription_errors)",
    ]
    assert azure["diagnostics"]["subscription_errors"] == [
        f"{S1}: sql_tde: arm request /subscriptions/[subscription_id]/resourceGroups/[resource_group]/providers/"
        "Microsoft.Sql/servers/[servers]/databases/[databases]/transparentDataEncryption/"
        "[transparentdataencryption]?api-version failed: status=500 code=InternalServerError"
    ]
    assert azure["accounts"][0]["sql"]["tde_enabled_pct"] is None
    assert azure["accounts"][0]["keyvault"]["vaults_count"] is None
    assert not any(r.method == "PUT" or "register" in r.path for r in sim.requests("arm"))


@pytest.mark.parametrize(
    ("denied", "nulled"),
    [
        # no registration report: Owner MFA unknown; no enterprise apps: password owners unknown
        (
            ["/v1.0/reports/authenticationMethods", "/v1.0/servicePrincipals"],
            ["owner_users_mfa_registered_pct", "owner_service_principals_with_password_count"],
        ),
        (["/v1.0/applications"], ["owner_service_principals_with_password_count"]),
        # no user listing (G3 and G5 alike): inactive and guest counts unknown
        (["/v1.0/users"], ["privileged_users_inactive_count", "privileged_guests_count"]),
    ],
)
def test_identity_fields_are_null_exactly_when_their_entra_surface_is(
    sim: Simulator, denied: list[str], nulled: list[str]
) -> None:
    """v1.1 §V.8 null rules: counts from A3 stay; each Entra-joined field needs its surface."""
    sim.scenario.faults += [
        Fault("graph", path, 403, arm_error("Authorization_RequestDenied", "x")) for path in denied
    ]
    _, azure = collect(sim)
    identity = azure["accounts"][0]["identity"]
    known = {  # tests/test_azure_metrics.py has the arithmetic
        "owner_users_count": 2,
        "owner_users_mfa_registered_pct": 50,
        "privileged_users_count": 5,
        "privileged_users_inactive_count": 4,
        "privileged_guests_count": 1,
        "owner_service_principals_with_password_count": 2,
    }
    assert identity == known | dict.fromkeys(nulled)
