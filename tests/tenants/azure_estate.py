"""A hand-built Azure estate: one busy subscription (S1), one empty one (S2), one denied (S3).

Every resource is chosen to exercise one rule of contract §5.2; test_azure_metrics carries
the arithmetic for each expected value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.simulator import Fault, Scenario
from tests.simulator.scenario import COLLECTOR_OBJECT_ID, arm_error
from tests.tenants.entra_tenant import iso, uid

S1 = "33333333-3333-3333-3333-333333333333"
S2 = "55555555-5555-5555-5555-555555555555"
S3 = "66666666-6666-6666-6666-666666666666"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def rid(sub: str, group: str, provider: str, *pairs: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{provider}/" + "/".join(pairs)


def sub_path(sub: str, suffix: str) -> str:
    return f"/subscriptions/{sub}{suffix}"


def _vm(
    name: str, os_disk: dict[str, Any] | None, data: list[dict[str, Any]], nic: str
) -> dict[str, Any]:
    profile: dict[str, Any] = {"dataDisks": data}
    if os_disk is not None:
        profile["osDisk"] = os_disk
    return {
        "id": rid(S1, "rg-compute-secret", "Microsoft.Compute", "virtualMachines", name),
        "name": name,
        "location": "westeurope",
        "tags": {"owner": "alice@contoso.example"},
        "properties": {
            "storageProfile": profile,
            "networkProfile": {"networkInterfaces": [{"id": nic}]},
        },
    }


def _nsg_rule(
    access: str, direction: str, protocol: str, source: Any, ports: Any
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "access": access,
        "direction": direction,
        "protocol": protocol,
        "priority": 100,
    }
    if isinstance(source, list):
        props["sourceAddressPrefixes"] = source
    else:
        props["sourceAddressPrefix"] = source
    if isinstance(ports, list):
        props["destinationPortRanges"] = ports
    else:
        props["destinationPortRange"] = ports
    return {"name": "rule-secret", "properties": props}


def _diag(
    destination: bool, logs: bool, metrics: bool, category: str = "AuditEvent"
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "logs": [{"category": category, "enabled": logs}],
        "metrics": [{"category": "AllMetrics", "enabled": metrics}],
    }
    if destination:
        props["workspaceId"] = (
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
        )
    return {"id": "diag-secret", "name": "diag-secret", "properties": props}


USER_ACCESS_ADMIN = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMIN = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"


def _assignment(n: int, role: str, kind: str, principal: str) -> dict[str, Any]:
    return {
        "id": f"r{n}",
        "properties": {
            "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalType": kind,
            "principalId": principal,
            "scope": "/",
        },
    }


def _plan(name: str, tier: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/x/providers/Microsoft.Security/pricings/{name}",
        "name": name,
        "type": "Microsoft.Security/pricings",
        "properties": {"pricingTier": tier, "freeTrialRemainingTime": "PT0S"},
    }


def _v11_estate(scenario: Scenario, servers: list[str]) -> None:
    """S1's v1.1 surfaces (A22–A27), each value worked out in tests/test_azure_metrics.py."""
    arm, obj = scenario.arm_collections, scenario.arm_objects
    arm[sub_path(S1, "/providers/Microsoft.Security/pricings")] = [
        _plan("VirtualMachines", "Standard")
        | {"properties": {"pricingTier": "Standard", "subPlan": "P2"}},
        _plan("SqlServers", "Standard"),
        _plan("StorageAccounts", "Free"),
        _plan("KeyVaults", "standard"),
    ]
    obj[f"{servers[0]}/auditingSettings/default"] = {
        "id": f"{servers[0]}/auditingSettings/Default",
        "name": "Default",
        "properties": {
            "state": "Enabled",
            "retentionDays": 90,
            "isAzureMonitorTargetEnabled": True,
        },
    }
    obj[f"{servers[1]}/auditingSettings/default"] = {
        "name": "Default",
        "properties": {"state": "Disabled"},
    }
    for server, entra_only in ((servers[0], True), (servers[1], False)):
        arm[f"{server}/administrators"] = [
            {
                "id": f"{server}/administrators/ActiveDirectory",
                "name": "ActiveDirectory",
                "properties": {
                    "administratorType": "ActiveDirectory",
                    "login": "sql-admins-secret@contoso.example",
                    "sid": "aaaaaaaa-9999-0000-0000-000000000001",
                    "tenantId": scenario.tenant_id,
                    "azureADOnlyAuthentication": entra_only,
                },
            }
        ]
    network = rid(S1, "rg-net-secret", "Microsoft.Network", "virtualNetworks", "vnet{}")
    watcher = rid(
        S1, "NetworkWatcherRG", "Microsoft.Network", "networkWatchers", "NetworkWatcher_westeurope"
    )
    arm[sub_path(S1, "/providers/Microsoft.Network/networkWatchers")] = [
        {"id": watcher, "name": "NetworkWatcher_westeurope", "location": "westeurope"}
    ]
    arm[sub_path(S1, "/providers/Microsoft.Network/virtualNetworks")] = [
        {"id": network.format(n), "name": f"vnet-secret-{n}", "properties": {}}
        for n in (1, 2, 3, 4)
    ]

    def flow_log(n: int, enabled: bool, target: str) -> dict[str, Any]:
        return {
            "id": f"{watcher}/flowLogs/fl{n}",
            "name": f"flowlog-secret-{n}",
            "properties": {"enabled": enabled, "targetResourceId": target, "storageId": "x"},
        }

    nic = rid(S1, "rg-net-secret", "Microsoft.Network", "networkInterfaces", "nic-in-vnet4")
    arm[f"{watcher}/flowLogs"] = [
        flow_log(1, True, network.format(1).upper()),  # the VNet itself (IDs compare ci)
        flow_log(2, True, network.format(2) + "/subnets/app"),  # one of its subnets
        flow_log(3, False, network.format(4)),  # disabled: covers nothing
        flow_log(4, True, "nsg4"),  # a legacy NSG flow log; nsg4 sits on vnet3's subnet
        flow_log(5, True, nic),  # a NIC flow log never covers a VNet
    ]
    for nsg in arm[sub_path(S1, "/providers/Microsoft.Network/networkSecurityGroups")]:
        if nsg["id"] == "nsg4":
            nsg["properties"]["subnets"] = [{"id": network.format(3) + "/subnets/web"}]


def azure_estate(scenario: Scenario, now: datetime | None = None) -> list[str]:
    """Add S1–S3 to `scenario`; returns the subscription list to configure."""
    now = now or datetime.now(UTC)
    arm, obj = scenario.arm_collections, scenario.arm_objects
    for sub in (S1, S2):
        scenario.add_subscription(sub)
    scenario.faults.append(
        Fault(
            "arm",
            f"/subscriptions/{S3}",
            403,
            arm_error(
                "AuthorizationFailed",
                f"The client 'x' does not have authorization over scope '/subscriptions/{S3}'.",
            ),
        )
    )

    # --- S1 --------------------------------------------------------------------------------
    obj[sub_path(S1, "/providers/Microsoft.Security/secureScores/ascScore")] = {
        "id": "x",
        "name": "ascScore",
        "properties": {"score": {"max": 58, "current": 41.3, "percentage": 0.7121}},
    }
    arm[sub_path(S1, "/providers/Microsoft.Security/assessments")] = [
        {
            "name": "a1",
            "properties": {
                "displayName": "Machines should have vulnerability findings resolved",
                "status": {"code": "Unhealthy"},
            },
        },
        {
            "name": "a2",
            "properties": {
                "displayName": "System updates should be installed",
                "status": {"code": "Healthy"},
            },
        },
        {
            "name": "a3",
            "properties": {
                "displayName": "MFA should be enabled",
                "status": {"code": "Unhealthy"},
                "metadata": {"categories": ["Compute"]},
            },
        },
        {
            "name": "a4",
            "properties": {
                "displayName": "Endpoint protection",
                "status": {"code": "NotApplicable"},
                "metadata": {"categories": ["Patch management"]},
            },
        },
        {
            "name": "a5",
            "properties": {"displayName": "Apply patches", "status": {"code": "unhealthy"}},
        },
    ]
    arm[sub_path(S1, "/providers/Microsoft.Authorization/roleAssignments")] = [
        {
            "id": "r1",
            "properties": {
                "roleDefinitionId": f"/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
                "principalType": "User",
                "principalId": "p1",
                "scope": f"/subscriptions/{S1}",
            },
        },
        {
            "id": "r2",
            "properties": {
                "roleDefinitionId": f"/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
                "principalType": "ServicePrincipal",
                "principalId": "p2",
                "scope": "/",
            },
        },
        {
            "id": "r3",
            "properties": {
                "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER.upper()}",
                "principalType": "Group",
                "principalId": "p3",
                "scope": "/",
            },
        },
        {
            "id": "r4",
            "properties": {
                "roleDefinitionId": f"/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
                "principalType": "ServicePrincipal",
                "principalId": "p4",
                "scope": "/",
            },
        },
        {  # the collector's own identity: Reader, as docs/configuration.md asks
            "id": "r5",
            "properties": {
                "roleDefinitionId": f"/subscriptions/{S1}/providers/Microsoft.Authorization/roleDefinitions/{READER}",
                "principalType": "ServicePrincipal",
                "principalId": COLLECTOR_OBJECT_ID.upper(),
                "scope": f"/subscriptions/{S1}",
            },
        },
    ]
    # v1.1 identity: role holders that join to the Entra tenant of tests/tenants/entra_tenant.py
    arm[sub_path(S1, "/providers/Microsoft.Authorization/roleAssignments")] += [
        _assignment(6, OWNER, "User", uid(10)),  # GA u10: registered, active
        _assignment(7, CONTRIBUTOR, "User", uid(5).upper()),  # u5 is disabled
        _assignment(8, USER_ACCESS_ADMIN, "User", uid(7)),  # a guest, inactive for 200 days
        _assignment(9, RBAC_ADMIN, "User", uid(99)),  # deleted: not in the directory
        _assignment(10, OWNER, "ServicePrincipal", "sp2"),  # its own password is unexpired
        _assignment(11, OWNER, "ServicePrincipal", "sp4"),  # no credential; its app has one
    ]
    arm[sub_path(S1, "/providers/Microsoft.Authorization/policyAssignments")] = [
        {"id": "pa1", "name": "pa-secret", "properties": {"displayName": "Policy Secret One"}},
        {"id": "pa2", "name": "pa-secret-2", "properties": {"displayName": "Policy Secret Two"}},
    ]
    obj[sub_path(S1, "/providers/Microsoft.PolicyInsights/policyStates/latest/summarize")] = {
        "value": [
            {
                "results": {
                    "resourceDetails": [
                        {"complianceState": "compliant", "count": 7},
                        {"complianceState": "noncompliant", "count": 3},
                        {"complianceState": "exempt", "count": 5},
                    ]
                }
            }
        ]
    }
    storage = [
        {
            "props": {
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "TLS1_2",
                "encryption": {
                    "keySource": "Microsoft.Keyvault",
                    "requireInfrastructureEncryption": True,
                    "services": {"blob": {"enabled": True}, "file": {"enabled": True}},
                },
                "allowBlobPublicAccess": False,
                "publicNetworkAccess": "Disabled",
            }
        },
        {
            "props": {
                "supportsHttpsTrafficOnly": False,
                "minimumTlsVersion": "TLS1_0",
                "encryption": {
                    "keySource": "Microsoft.Storage",
                    "services": {"blob": {"enabled": True}},
                },
                "allowBlobPublicAccess": True,
                "publicNetworkAccess": "Enabled",
            }
        },
        {
            "props": {
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "TLS1_3",
                "encryption": {
                    "keySource": "Microsoft. KeyVault",
                    "services": {"blob": {"enabled": True}, "file": {"enabled": False}},
                },
                "allowBlobPublicAccess": False,
                "publicNetworkAccess": "Enabled",
            }
        },
        {
            "props": {
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "1.2",
                "allowBlobPublicAccess": False,
                "publicNetworkAccess": "disabled",
            }
        },
    ]
    # v1.1 shared keys: sa1 has none; sa2's key2 is 100 days old; sa3 (the property absent:
    # keys allowed) rotated both within 90 days; sa4 reports no creation time for key2.
    storage[0]["props"]["allowSharedKeyAccess"] = False
    storage[1]["props"] |= {
        "allowSharedKeyAccess": True,
        "keyCreationTime": {
            "key1": iso(now - timedelta(days=10)),
            "key2": iso(now - timedelta(days=100)),
        },
    }
    storage[2]["props"]["keyCreationTime"] = {
        "key1": iso(now - timedelta(days=5)),
        "key2": iso(now - timedelta(days=30)),
    }
    storage[3]["props"] |= {
        "allowSharedKeyAccess": True,
        "keyCreationTime": {"key1": iso(now - timedelta(days=1)), "key2": None},
    }
    sa_ids = [
        rid(S1, "rg-data-secret", "Microsoft.Storage", "storageAccounts", f"sasecret{i}")
        for i in range(1, 5)
    ]
    arm[sub_path(S1, "/providers/Microsoft.Storage/storageAccounts")] = [
        {
            "id": sa_ids[i],
            "name": f"sasecret{i + 1}",
            "location": "westeurope",
            "kind": "StorageV2",
            "sku": {"name": "Standard_LRS"},
            "properties": item["props"],
        }
        for i, item in enumerate(storage)
    ]
    kv_ids = [
        rid(S1, "rg-kv-secret", "Microsoft.KeyVault", "vaults", f"kvsecret{i}") for i in range(1, 4)
    ]
    arm[sub_path(S1, "/providers/Microsoft.KeyVault/vaults")] = [
        {
            "id": kv_ids[0],
            "name": "kvsecret1",
            "location": "westeurope",
            "properties": {
                "enablePurgeProtection": True,
                "enableRbacAuthorization": True,
                "enableSoftDelete": True,
                "publicNetworkAccess": "Disabled",  # v1.1: closed to the internet
                "tenantId": scenario.tenant_id,
                "sku": {"family": "A", "name": "standard"},
            },
        },
        {
            "id": kv_ids[1],
            "name": "kvsecret2",
            "location": "westeurope",
            "properties": {
                "enablePurgeProtection": False,
                "enableRbacAuthorization": True,
                "enableSoftDelete": False,  # v1.1: soft delete off
                "publicNetworkAccess": "Enabled",
                "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},  # closed
                "tenantId": scenario.tenant_id,
                "sku": {"family": "A", "name": "standard"},
            },
        },
        {
            "id": kv_ids[2],
            "name": "kvsecret3",
            "location": "westeurope",
            "properties": {
                "enableRbacAuthorization": False,
                "tenantId": scenario.tenant_id,
                "sku": {"family": "A", "name": "standard"},
            },
        },
    ]
    srv_ids = [
        rid(S1, "rg-sql-secret", "Microsoft.Sql", "servers", f"srvsecret{i}") for i in (1, 2)
    ]
    arm[sub_path(S1, "/providers/Microsoft.Sql/servers")] = [
        {
            "id": srv_ids[0],
            "name": "srvsecret1",
            "location": "westeurope",
            "properties": {"minimalTlsVersion": "1.2", "publicNetworkAccess": "Disabled"},
        },
        {
            "id": srv_ids[1],
            "name": "srvsecret2",
            "location": "westeurope",
            "properties": {"minimalTlsVersion": "1.0", "publicNetworkAccess": "Enabled"},
        },
    ]
    db_ids = {
        name: f"{srv_ids[0 if name != 'db3' else 1]}/databases/{name}"
        for name in ("master", "db1", "db2", "db3")
    }
    arm[f"{srv_ids[0]}/databases"] = [
        {"id": db_ids[n], "name": n, "location": "westeurope"} for n in ("master", "db1", "db2")
    ]
    arm[f"{srv_ids[1]}/databases"] = [
        {"id": db_ids["db3"], "name": "db3", "location": "westeurope"}
    ]
    for name, state in (("db1", "Enabled"), ("db2", "Disabled"), ("db3", "enabled")):
        obj[f"{db_ids[name]}/transparentDataEncryption/current"] = {
            "id": "x",
            "name": "current",
            "properties": {"state": state},
        }
    nic = [
        rid(S1, "rg-net-secret", "Microsoft.Network", "networkInterfaces", f"nicsecret{i}")
        for i in (1, 2, 3)
    ]
    managed = {
        "managedDisk": {
            "id": rid(S1, "rg-compute-secret", "Microsoft.Compute", "disks", "disk-secret")
        }
    }
    vms = [
        _vm("vmsecret1", dict(managed), [dict(managed)], nic[0]),
        _vm(
            "vmsecret2",
            {"encryptionSettings": {"enabled": True}, "vhd": {"uri": "https://x"}},
            [{"vhd": {"uri": "https://y"}}],
            nic[1],
        ),
        _vm("vmsecret3", dict(managed), [], nic[2]),
    ]
    arm[sub_path(S1, "/providers/Microsoft.Compute/virtualMachines")] = vms
    arm[sub_path(S1, "/providers/Microsoft.Network/publicIPAddresses")] = [
        {
            "id": "pip1",
            "name": "pip-secret-1",
            "location": "westeurope",
            "properties": {
                "ipAddress": "203.0.113.7",
                "ipConfiguration": {"id": nic[0].upper() + "/ipConfigurations/ipconfig1"},
            },
        },
        {
            "id": "pip2",
            "name": "pip-secret-2",
            "location": "westeurope",
            "properties": {
                "ipConfiguration": {
                    "id": rid(
                        S1,
                        "rg-net-secret",
                        "Microsoft.Network",
                        "loadBalancers",
                        "lb-secret",
                        "frontendIPConfigurations",
                        "fe",
                    )
                }
            },
        },
        {"id": "pip3", "name": "pip-secret-3", "location": "westeurope", "properties": {}},
    ]
    vault_ids = [
        rid(S1, "rg-backup-secret", "Microsoft.RecoveryServices", "vaults", f"vaultsecret{i}")
        for i in (1, 2)
    ]
    arm[sub_path(S1, "/providers/Microsoft.RecoveryServices/vaults")] = [
        {
            "id": vault_ids[0],
            "name": "vaultsecret1",
            "location": "westeurope",
            "sku": {"name": "RS0"},
            "properties": {
                "securitySettings": {
                    "softDeleteSettings": {"softDeleteState": "AlwaysON"},
                    "immutabilitySettings": {"state": "Locked"},
                }
            },
        },
        {
            "id": vault_ids[1],
            "name": "vaultsecret2",
            "location": "westeurope",
            "sku": {"name": "RS0"},
            "properties": {"softDeleteFeatureState": "Disabled"},
        },
    ]
    vm_ids = [vm["id"] for vm in vms]
    arm[f"{vault_ids[0]}/backupProtectedItems"] = [
        {
            "id": "pi1",
            "name": "pi-secret-1",
            "properties": {
                "protectedItemType": "Microsoft.Compute/virtualMachines",
                "sourceResourceId": vm_ids[0].upper(),
                "protectionState": "Protected",
                "lastBackupStatus": "Completed",
                "lastBackupTime": iso(now - timedelta(hours=10)),
                "friendlyName": "vmsecret1",
            },
        },
        {
            "id": "pi2",
            "name": "pi-secret-2",
            "properties": {
                "protectedItemType": "AzureVmWorkloadSQLDatabase",
                "sourceResourceId": db_ids["db1"],
                "protectionState": "ProtectionError",
                "lastBackupStatus": "Failed",
                "lastBackupTime": iso(now - timedelta(hours=5)),
                "friendlyName": "DB1",
            },
        },
        {
            "id": "pi3",
            "name": "pi-secret-3",
            "properties": {
                "protectedItemType": "AzureFileShareProtectedItem",
                "protectionState": "IRPending",
                "friendlyName": "x",
            },
        },
    ]
    arm[f"{vault_ids[1]}/backupProtectedItems"] = [
        {
            "id": "pi4",
            "name": "pi-secret-4",
            "properties": {
                "protectedItemType": "Microsoft.Compute/virtualMachines",
                "sourceResourceId": vm_ids[2],
                "protectionState": "ProtectionConfigured",
                "lastRecoveryPoint": iso(now - timedelta(hours=50)),
                "friendlyName": "vmsecret3",
            },
        },
        {
            "id": "pi5",
            "name": "pi-secret-5",
            "properties": {
                "protectedItemType": "AzureFileShareProtectedItem",
                "sourceResourceId": "/subscriptions/x/share",
                "protectionState": "Protected",
                "lastBackupStatus": "Healthy",
                "lastBackupTime": "0001-01-01T00:00:00Z",
                "friendlyName": "share",
            },
        },
    ]
    arm[f"{vault_ids[0]}/backupPolicies"] = [
        {
            "id": "pol1",
            "name": "pol-secret-1",
            "properties": {
                "backupManagementType": "AzureIaasVM",
                "retentionPolicy": {
                    "retentionPolicyType": "LongTermRetentionPolicy",
                    "dailySchedule": {"retentionDuration": {"count": 30, "durationType": "Days"}},
                    "weeklySchedule": {"retentionDuration": {"count": 12, "durationType": "Weeks"}},
                },
            },
        },
    ]
    arm[f"{vault_ids[1]}/backupPolicies"] = [
        {
            "id": "pol2",
            "name": "pol-secret-2",
            "properties": {
                "backupManagementType": "AzureIaasVM",
                "instantRpRetentionRangeInDays": 2,
                "retentionPolicy": {
                    "retentionPolicyType": "SimpleRetentionPolicy",
                    "retentionDuration": {"count": 1, "durationType": "Months"},
                },
            },
        },
        {
            "id": "pol3",
            "name": "pol-secret-3",
            "properties": {
                "backupManagementType": "AzureStorage",
                "retentionPolicy": {
                    "retentionPolicyType": "SimpleRetentionPolicy",
                    "durationCountInDays": 7,
                },
            },
        },
    ]
    arm[f"{vault_ids[0]}/backupJobs"] = [
        {
            "id": "j1",
            "properties": {
                "jobType": "AzureIaaSVMJob",
                "operation": "Backup",
                "status": "Failed",
                "endTime": iso(now - timedelta(days=2)),
                "entityFriendlyName": "vmsecret1",
            },
        },
        {
            "id": "j2",
            "properties": {
                "jobType": "AzureWorkloadJob",
                "operation": "Backup",
                "status": "Completed",
                "endTime": iso(now - timedelta(hours=30)),
                "entityFriendlyName": " db1 ",
            },
        },
        {
            "id": "j3",
            "properties": {
                "jobType": "AzureIaaSVMJob",
                "operation": "Backup",
                "status": "Failed",
                "startTime": iso(now - timedelta(days=9)),
                "entityFriendlyName": "vmsecret1",
            },
        },
        {
            "id": "j4",
            "properties": {
                "jobType": "AzureIaaSVMJob",
                "status": "failed",
                "endTime": iso(now - timedelta(hours=1)),
                "entityFriendlyName": "vmsecret1",
            },
        },
    ]
    arm[f"{vault_ids[1]}/backupJobs"] = [
        {
            "id": "j5",
            "properties": {
                "jobType": "AzureIaaSVMJob",
                "operation": "Backup",
                "status": "Completed",
                "endTime": iso(now - timedelta(hours=3)),
                "entityFriendlyName": "vmsecret3",
            },
        },
    ]
    arm[sub_path(S1, "/providers/Microsoft.Network/networkSecurityGroups")] = [
        {
            "id": "nsg1",
            "name": "nsg-secret-1",
            "location": "westeurope",
            "properties": {"securityRules": [_nsg_rule("Allow", "Inbound", "Tcp", "*", "22")]},
        },
        {
            "id": "nsg2",
            "name": "nsg-secret-2",
            "location": "westeurope",
            "properties": {
                "securityRules": [
                    _nsg_rule(
                        "Allow", "Inbound", "*", ["10.0.0.0/8", "Internet"], ["80", "3380-3390"]
                    ),
                    _nsg_rule("Deny", "Inbound", "Tcp", "*", "22"),
                ]
            },
        },
        {
            "id": "nsg3",
            "name": "nsg-secret-3",
            "location": "westeurope",
            "properties": {
                "securityRules": [_nsg_rule("Allow", "Inbound", "Tcp", "VirtualNetwork", "*")],
                "defaultSecurityRules": [_nsg_rule("Allow", "Inbound", "*", "*", "*")],
            },
        },
        {
            "id": "nsg4",
            "name": "nsg-secret-4",
            "location": "westeurope",
            "properties": {
                "securityRules": [
                    _nsg_rule("Allow", "Inbound", "Udp", "*", "22"),
                    _nsg_rule("Allow", "Outbound", "Tcp", "*", "3389"),
                ]
            },
        },
    ]
    _v11_estate(scenario, srv_ids)
    arm[sub_path(S1, "/providers/Microsoft.Insights/diagnosticSettings")] = [
        _diag(True, True, False, category="Administrative")
    ]
    for resource in (sa_ids[0], kv_ids[0], srv_ids[0], db_ids["db1"], vm_ids[0]):
        arm[f"{resource}/providers/Microsoft.Insights/diagnosticSettings"] = [
            _diag(True, True, False)
        ]
    arm[f"{kv_ids[1]}/providers/Microsoft.Insights/diagnosticSettings"] = [
        _diag(True, False, False)
    ]
    arm[f"{sa_ids[1]}/providers/Microsoft.Insights/diagnosticSettings"] = [_diag(False, True, True)]

    # --- S2: an empty subscription ------------------------------------------------------------
    obj[sub_path(S2, "/providers/Microsoft.Security/secureScores/ascScore")] = {
        "id": "x",
        "name": "ascScore",
        "properties": {"score": {"max": 0, "current": 0, "percentage": 0}},
    }
    arm[sub_path(S2, "/providers/Microsoft.Security/assessments")] = [
        {"name": "b1", "properties": {"displayName": "Enable MFA", "status": {"code": "Unhealthy"}}}
    ]
    for suffix in (
        "/providers/Microsoft.Authorization/roleAssignments",
        "/providers/Microsoft.Authorization/policyAssignments",
        "/providers/Microsoft.Storage/storageAccounts",
        "/providers/Microsoft.KeyVault/vaults",
        "/providers/Microsoft.Sql/servers",
        "/providers/Microsoft.Compute/virtualMachines",
        "/providers/Microsoft.Network/publicIPAddresses",
        "/providers/Microsoft.RecoveryServices/vaults",
        "/providers/Microsoft.Network/networkSecurityGroups",
        "/providers/Microsoft.Insights/diagnosticSettings",
        "/providers/Microsoft.Network/networkWatchers",
        "/providers/Microsoft.Network/virtualNetworks",
    ):
        arm[sub_path(S2, suffix)] = []
    arm[sub_path(S2, "/providers/Microsoft.Security/pricings")] = [_plan("VirtualMachines", "Free")]
    # Azure answers the summary for any readable subscription (the run skips it: no assignments)
    obj[sub_path(S2, "/providers/Microsoft.PolicyInsights/policyStates/latest/summarize")] = {
        "value": []
    }
    return [S1, S2, S3]
