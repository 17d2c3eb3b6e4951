"""The benchmark tenant: a 200,000-user directory and 20 busy subscriptions, generated lazily.

Large Graph collections (users, registration details, sign-ins, directory audits) are
`LazyRows`: each page is generated when the simulator serves it, so the estate costs almost no
memory however large it is. Every row is a pure function of its index, which keeps runs
repeatable and lets `Size` scale the whole estate down for a quick check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.simulator import Scenario
from tests.tenants.activity import CreatedInOrder, LazyRows
from tests.tenants.entra_tenant import GA, PRIV_ROLE_ADMIN, SECURITY_ADMIN, USER_ADMIN, iso
from tests.tenants.tenant_policies import install_tenant_policies

ARM_PAGE_SIZE = 1000  # ARM's own page size for the listings used (A20 serves up to 1,000)
GRAPH_PAGE_SIZE = 999  # `$top=999`, the Graph maximum for every listing that takes `$top`
USERS_CREATED_FROM = datetime(2017, 1, 1, tzinfo=UTC)
USERS_CREATED_EVERY = timedelta(seconds=1_000)
SIGN_IN_ACTIVITY_PAGE_SIZE = 120  # Graph caps /users pages at 120 when signInActivity is selected
FAILURE_CODES = (
    50126,
    50053,
    50074,
    53003,
    50076,
    500121,
    50055,
    50057,
    700016,
    65001,
    90094,
    7000218,
)


@dataclass(frozen=True)
class Size:
    """How big the estate is; `Size()` is the issue's large tenant, `scaled` shrinks it."""

    users: int = 200_000
    service_principals: int = 5_000
    applications: int = 3_000
    ca_policies: int = 60
    ca_groups: int = 30  # groups the policies name (G18 expands each)
    group_members: int = 4_000  # users in each of those groups
    role_assignments: int = 2_000
    eligibility_schedules: int = 300
    subscriptions: int = 20
    sign_ins: int = 500_000
    directory_audits: int = 50_000

    def scaled(self, factor: float) -> Size:
        def part(value: int) -> int:
            return max(1, math.ceil(value * factor))

        return Size(
            users=part(self.users),
            service_principals=part(self.service_principals),
            applications=part(self.applications),
            ca_policies=part(self.ca_policies),
            ca_groups=part(self.ca_groups),
            group_members=part(self.group_members),
            role_assignments=part(self.role_assignments),
            eligibility_schedules=part(self.eligibility_schedules),
            subscriptions=part(self.subscriptions),
            sign_ins=part(self.sign_ins),
            directory_audits=part(self.directory_audits),
        )


@dataclass(frozen=True)
class SubscriptionMix:
    """The 1,000 resources of every subscription, by surface (the rest are disks and NICs)."""

    storage_accounts: int = 150
    key_vaults: int = 100
    sql_servers: int = 25
    databases_per_server: int = 3  # `master` plus two user databases
    virtual_machines: int = 200
    public_ips: int = 150
    recovery_vaults: int = 10
    network_security_groups: int = 100
    other_resources: int = 190
    role_assignments: int = 200
    assessments: int = 300
    policy_assignments: int = 20
    virtual_networks: int = 20  # not counted in `resources` (the A20 inventory)

    def scaled(self, factor: float) -> SubscriptionMix:
        """Every count times `factor` (at least one each; three databases a server stay)."""
        counts = {
            name: max(1, round(getattr(self, name) * factor))
            for name in self.__dataclass_fields__
            if name != "databases_per_server"
        }
        return SubscriptionMix(**counts, databases_per_server=self.databases_per_server)

    @property
    def databases(self) -> int:
        return self.sql_servers * self.databases_per_server

    @property
    def resources(self) -> int:
        return (
            self.storage_accounts
            + self.key_vaults
            + self.sql_servers
            + self.databases
            + self.virtual_machines
            + self.public_ips
            + self.recovery_vaults
            + self.network_security_groups
            + self.other_resources
        )

    @property
    def user_databases(self) -> int:
        """#DB of contract §5.2.8: every database but `master`."""
        return self.sql_servers * (self.databases_per_server - 1)

    @property
    def monitored(self) -> int:
        """#MON of contract §5.2.12: storage, key vaults, servers, DB and VMs."""
        return (
            self.storage_accounts
            + self.key_vaults
            + self.sql_servers
            + self.user_databases
            + self.virtual_machines
        )


MIX = SubscriptionMix()
# Issue 19's wide estate: 300 subscriptions of a fifth of MIX (200 resources each).
WIDE_SUBSCRIPTIONS = 300
WIDE_MIX = MIX.scaled(1 / 5)
DEFENDER_PLANS = (
    "VirtualMachines",
    "SqlServers",
    "AppServices",
    "StorageAccounts",
    "SqlServerVirtualMachines",
    "KeyVaults",
    "Dns",
    "Arm",
    "OpenSourceRelationalDatabases",
    "Containers",
    "CosmosDbs",
    "CloudPosture",
)


def user_id(index: int) -> str:
    return f"{index:08x}-0000-4000-8000-{index:012x}"


def group_id(index: int) -> str:
    return f"{index:08x}-6c6c-4000-8000-{index:012x}"


def subscription_id(index: int) -> str:
    return f"{index:08x}-5b5b-4000-8000-{index:012x}"


def _user(index: int, now: datetime) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": user_id(index),
        "accountEnabled": index % 20 != 7,  # 5 % disabled
        "userType": "Guest" if index % 10 == 3 else "Member",  # 10 % guests
        "displayName": f"Person {index}",
        "userPrincipalName": f"person{index}@contoso.example",
    }
    if index % 50:  # 2 % have never signed in
        days = (index * 7919) % 200
        user["signInActivity"] = {
            "lastSignInDateTime": iso(now - timedelta(days=days, minutes=index % 1440)),
            "lastNonInteractiveSignInDateTime": iso(now - timedelta(days=days)),
        }
    return user


_METHODS = (
    ["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
    ["fido2SecurityKey"],
    ["mobilePhone"],
    ["windowsHelloForBusiness", "microsoftAuthenticatorPasswordless"],
    ["email"],
    [],
)


def _registration(index: int) -> dict[str, Any]:
    return {
        "id": user_id(index),
        "userPrincipalName": f"person{index}@contoso.example",
        "userDisplayName": f"Person {index}",
        "isMfaRegistered": index % 4 != 0,
        "isSsprRegistered": index % 3 == 0,
        "methodsRegistered": _METHODS[index % len(_METHODS)],
    }


def _sign_in(index: int, size: Size, now: datetime) -> dict[str, Any]:
    failed = index % 9 == 0
    code = FAILURE_CODES[(index // 9) % len(FAILURE_CODES)] if failed else 0
    return {
        "id": f"signin-{index}",
        "createdDateTime": iso(now - timedelta(seconds=(index * 13) % (167 * 3600))),
        "userId": user_id((index * 31) % size.users),
        "appId": f"{(index * 17) % size.service_principals:08x}-aaaa-4000-8000-000000000000",
        "userPrincipalName": f"person{index % size.users}@contoso.example",
        "ipAddress": "198.51.100.23",
        "status": {"errorCode": code},
        "conditionalAccessStatus": ("success", "failure", "notApplied")[index % 3],
        "appliedConditionalAccessPolicies": [
            {"id": f"policy-{index % 7}", "displayName": "Policy", "result": "success"},
            {"id": f"policy-{index % 5 + 7}", "displayName": "Policy", "result": "notApplied"},
        ],
        "clientAppUsed": ("Browser", "Mobile Apps and Desktop clients", "IMAP4")[index % 3],
        "riskLevelAggregated": ("none", "low", "medium", "high")[index % 4],
        "riskLevelDuringSignIn": ("none", "low")[index % 2],
    }


def _audit(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"audit-{index}",
        "activityDateTime": iso(now - timedelta(seconds=(index * 11) % (167 * 3600))),
        "category": ("UserManagement", "GroupManagement", "RoleManagement", "Policy")[index % 4],
        "loggedByService": ("Core Directory", "PIM")[index % 2],
        "operationType": ("Add", "Update", "Delete")[index % 3],
        "result": ("success", "failure")[index % 2],
        "targetResources": [{"type": ("User", "Group", "Role")[index % 3], "displayName": "t"}],
    }


def _credential(index: int, now: datetime) -> dict[str, Any]:
    return {
        "keyId": f"key-{index}",
        "displayName": "secret",
        "startDateTime": iso(now - timedelta(days=400 + index % 30)),
        "endDateTime": iso(now + timedelta(days=(index % 500) - 100)),
    }


def _service_principal(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"sp-{index}",
        "displayName": f"App {index}",
        "servicePrincipalType": "Application",
        "accountEnabled": index % 10 != 0,
        "appRoleAssignmentRequired": index % 3 == 0,
        "preferredSingleSignOnMode": ("saml", "oidc", None, "password")[index % 4],
        "passwordCredentials": [_credential(index, now)] if index % 2 else [],
        "keyCredentials": [_credential(index + 1, now)] if index % 5 == 0 else [],
    }


def _application(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": f"app-{index}",
        "displayName": f"App {index}",
        "passwordCredentials": [_credential(index, now), _credential(index + 7, now)],
        "keyCredentials": [_credential(index + 3, now)] if index % 4 == 0 else [],
    }


def _ca_policy(index: int, size: Size) -> dict[str, Any]:
    controls = (["mfa"], ["block"], ["compliantDevice"], ["mfa", "compliantDevice"])[index % 4]
    users: dict[str, Any] = (
        {
            "includeUsers": ["All"],
            "excludeUsers": [user_id(1)],
            "excludeGroups": [group_id((index + 1) % size.ca_groups)],
        }
        if index % 3 == 0
        else {
            "includeUsers": [user_id(index % size.users)],
            "includeGroups": [group_id(index % size.ca_groups)],
            "includeRoles": [GA],
        }
    )
    return {
        "id": f"ca-{index}",
        "displayName": f"Policy {index}",
        "state": ("enabled", "enabledForReportingButNotEnforced", "disabled")[index % 3],
        "grantControls": {"operator": "OR", "builtInControls": controls},
        "conditions": {
            "users": users,
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"] if index % 5 else ["exchangeActiveSync", "other"],
        },
    }


def _group_member(group: int, index: int, size: Size) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.user",
        "id": user_id((group * 7 + index * 13) % size.users),
    }


def ca_groups_named(size: Size) -> set[str]:
    """CAG of §V.4 for this estate: the groups of the enabled and report-only policies."""
    named: set[str] = set()
    for index in range(size.ca_policies):
        policy = _ca_policy(index, size)
        if policy["state"] != "disabled":
            users = policy["conditions"]["users"]
            named.update(users.get("includeGroups", []) + users.get("excludeGroups", []))
    return named


def add_entra(scenario: Scenario, size: Size, now: datetime) -> None:
    graph = scenario.graph_collections
    # created one every 1,000 s from 2017: the partitioned listing's createdDateTime ranges
    graph["/users"] = CreatedInOrder(
        size.users, lambda i: _user(i, now), USERS_CREATED_FROM, USERS_CREATED_EVERY
    )
    graph["/reports/authenticationMethods/userRegistrationDetails"] = LazyRows(
        size.users, _registration
    )
    graph["/identity/conditionalAccess/policies"] = [
        _ca_policy(i, size) for i in range(size.ca_policies)
    ]
    scenario.group_members = {
        group_id(g): LazyRows(size.group_members, lambda i, g=g: _group_member(g, i, size))
        for g in range(size.ca_groups)
    }
    install_tenant_policies(scenario)
    scenario.graph_objects["/policies/identitySecurityDefaultsEnforcementPolicy"] = {
        "id": "00000000-0000-0000-0000-000000000005",
        "isEnabled": False,
    }
    roles = (GA, SECURITY_ADMIN, USER_ADMIN, PRIV_ROLE_ADMIN)
    graph["/roleManagement/directory/roleAssignments"] = [
        {
            "id": f"ra-{i}",
            "principalId": user_id((i * 97) % size.users),
            "roleDefinitionId": roles[i % len(roles)],
            "directoryScopeId": "/",
        }
        for i in range(size.role_assignments)
    ]
    graph["/roleManagement/directory/roleEligibilitySchedules"] = [
        {
            "id": f"es-{i}",
            "principalId": user_id((i * 89) % size.users),
            "roleDefinition": {"templateId": roles[i % len(roles)]},
        }
        for i in range(size.eligibility_schedules)
    ]
    graph["/servicePrincipals"] = LazyRows(
        size.service_principals, lambda i: _service_principal(i, now)
    )
    graph["/applications"] = LazyRows(size.applications, lambda i: _application(i, now))
    graph["/security/secureScores"] = [{"id": "s", "currentScore": 412.5, "maxScore": 650}]
    graph["/subscribedSkus"] = [
        {
            "skuId": "sku-e5",
            "capabilityStatus": "Enabled",
            "servicePlans": [
                {"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success"},
            ],
        }
    ]
    graph["/auditLogs/directoryAudits"] = LazyRows(size.directory_audits, lambda i: _audit(i, now))
    graph["/auditLogs/signIns"] = LazyRows(size.sign_ins, lambda i: _sign_in(i, size, now))


def _rid(sub: str, provider: str, collection: str, name: str) -> str:
    group = f"rg-{name[:3]}"
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/{provider}/{collection}/{name}"


def _diagnostics(enabled: bool) -> list[dict[str, Any]]:
    if not enabled:
        return []
    workspace = (
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
    )
    return [
        {
            "id": "diag",
            "name": "diag",
            "properties": {
                "workspaceId": workspace,
                "logs": [{"category": "AuditEvent", "enabled": True}],
                "metrics": [{"category": "AllMetrics", "enabled": False}],
            },
        }
    ]


def add_subscription(
    scenario: Scenario, sub: str, now: datetime, mix: SubscriptionMix = MIX
) -> None:
    """One subscription of `mix`: every surface populated, every per-item route answered."""
    scenario.add_subscription(sub)
    arm, obj = scenario.arm_collections, scenario.arm_objects
    base = f"/subscriptions/{sub}/providers"
    inventory: list[dict[str, Any]] = []

    def resource(provider: str, collection: str, name: str, **extra: Any) -> dict[str, Any]:
        item = {
            "id": _rid(sub, provider, collection, name),
            "name": name,
            "type": f"{provider}/{collection}",
            "location": ("westeurope", "eastus", "northeurope")[len(inventory) % 3],
            "tags": {"env": "prod"} if len(inventory) % 2 else {},
            **extra,
        }
        inventory.append({k: v for k, v in item.items() if k != "properties"})
        return item

    obj[f"{base}/Microsoft.Security/secureScores/ascScore"] = {
        "id": "x",
        "name": "ascScore",
        "properties": {"score": {"max": 60, "current": 42.0, "percentage": 0.7}},
    }
    arm[f"{base}/Microsoft.Security/assessments"] = [
        {
            "name": f"a{i}",
            "properties": {
                "displayName": "Assessment",
                "status": {"code": ("Healthy", "Unhealthy", "NotApplicable")[i % 3]},
            },
        }
        for i in range(mix.assessments)
    ]
    arm[f"{base}/Microsoft.Authorization/roleAssignments"] = [
        {
            "id": f"ra{i}",
            "name": f"ra{i}",
            "properties": {
                "roleDefinitionId": f"{base}/Microsoft.Authorization/roleDefinitions/"
                "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                "principalId": user_id(i),
                "principalType": "User",
                "scope": f"/subscriptions/{sub}",
            },
        }
        for i in range(mix.role_assignments)
    ]
    arm[f"{base}/Microsoft.Authorization/policyAssignments"] = [
        {"id": f"pa{i}", "name": f"pa{i}", "properties": {"displayName": "p"}}
        for i in range(mix.policy_assignments)
    ]
    obj[f"{base}/Microsoft.PolicyInsights/policyStates/latest/summarize"] = {
        "value": [
            {
                "results": {
                    "resourceDetails": [
                        {"complianceState": "compliant", "count": 800},
                        {"complianceState": "noncompliant", "count": 200},
                    ]
                }
            }
        ]
    }
    storage = [
        resource(
            "Microsoft.Storage",
            "storageAccounts",
            f"sa{i}",
            kind="StorageV2",
            sku={"name": "Standard_LRS"},
            properties={
                "supportsHttpsTrafficOnly": i % 4 != 0,
                "minimumTlsVersion": "TLS1_2" if i % 3 else "TLS1_0",
                "allowBlobPublicAccess": i % 5 == 0,
                "publicNetworkAccess": "Enabled" if i % 2 else "Disabled",
                "encryption": {
                    "keySource": "Microsoft.Storage",
                    "services": {"blob": {"enabled": True}, "file": {"enabled": True}},
                },
            },
        )
        for i in range(mix.storage_accounts)
    ]
    arm[f"{base}/Microsoft.Storage/storageAccounts"] = storage
    vaults = [
        resource(
            "Microsoft.KeyVault",
            "vaults",
            f"kv{i}",
            properties={
                "tenantId": scenario.tenant_id,
                "sku": {"family": "A", "name": "standard"},
                "enablePurgeProtection": i % 2 == 0,
                "enableRbacAuthorization": i % 3 != 0,
            },
        )
        for i in range(mix.key_vaults)
    ]
    arm[f"{base}/Microsoft.KeyVault/vaults"] = vaults
    servers = [
        resource(
            "Microsoft.Sql",
            "servers",
            f"sql{i}",
            properties={"minimalTlsVersion": "1.2", "publicNetworkAccess": "Disabled"},
        )
        for i in range(mix.sql_servers)
    ]
    arm[f"{base}/Microsoft.Sql/servers"] = servers
    databases: list[dict[str, Any]] = []
    for server in servers:
        children = []
        for j in range(mix.databases_per_server):
            name = "master" if j == 0 else f"db{j}"
            database = {
                "id": f"{server['id']}/databases/{name}",
                "name": name,
                "type": "Microsoft.Sql/servers/databases",
                "location": "westeurope",
            }
            inventory.append(database)
            children.append(database)
            if name != "master":
                obj[f"{database['id']}/transparentDataEncryption/current"] = {
                    "id": "x",
                    "name": "current",
                    "properties": {"state": "Enabled" if j % 2 else "Disabled"},
                }
        arm[f"{server['id']}/databases"] = children
        databases += children
    machines = [
        resource(
            "Microsoft.Compute",
            "virtualMachines",
            f"vm{i}",
            properties={
                "storageProfile": {
                    "osDisk": {"managedDisk": {"id": f"/subscriptions/{sub}/disk{i}"}},
                    "dataDisks": [],
                },
                "networkProfile": {"networkInterfaces": [{"id": f"/subscriptions/{sub}/nic{i}"}]},
            },
        )
        for i in range(mix.virtual_machines)
    ]
    arm[f"{base}/Microsoft.Compute/virtualMachines"] = machines
    arm[f"{base}/Microsoft.Network/publicIPAddresses"] = [
        resource(
            "Microsoft.Network",
            "publicIPAddresses",
            f"pip{i}",
            properties={"ipAddress": "203.0.113.7"} if i % 2 else {},
        )
        for i in range(mix.public_ips)
    ]
    recovery = [
        resource(
            "Microsoft.RecoveryServices",
            "vaults",
            f"rsv{i}",
            sku={"name": "RS0"},
            properties={"securitySettings": {"softDeleteSettings": {"softDeleteState": "Enabled"}}},
        )
        for i in range(mix.recovery_vaults)
    ]
    arm[f"{base}/Microsoft.RecoveryServices/vaults"] = recovery
    for i, vault in enumerate(recovery):
        protected = machines[i * 10 : i * 10 + 10]
        arm[f"{vault['id']}/backupProtectedItems"] = [
            {
                "id": f"pi{i}-{k}",
                "name": f"pi{k}",
                "properties": {
                    "protectedItemType": "Microsoft.Compute/virtualMachines",
                    "sourceResourceId": machine["id"],
                    "protectionState": "Protected",
                    "lastBackupStatus": "Completed",
                    "lastBackupTime": iso(now - timedelta(hours=6)),
                },
            }
            for k, machine in enumerate(protected)
        ]
        arm[f"{vault['id']}/backupPolicies"] = [
            {
                "id": f"pol{i}",
                "name": "policy",
                "properties": {
                    "backupManagementType": "AzureIaasVM",
                    "retentionPolicy": {
                        "retentionPolicyType": "SimpleRetentionPolicy",
                        "retentionDuration": {"count": 30, "durationType": "Days"},
                    },
                },
            }
        ]
        arm[f"{vault['id']}/backupJobs"] = [
            {
                "id": f"job{i}-{k}",
                "properties": {
                    "jobType": "AzureIaaSVMJob",
                    "operation": "Backup",
                    "status": "Completed" if k % 4 else "Failed",
                    "endTime": iso(now - timedelta(hours=k + 1)),
                },
            }
            for k in range(10)
        ]
    arm[f"{base}/Microsoft.Network/networkSecurityGroups"] = [
        resource(
            "Microsoft.Network",
            "networkSecurityGroups",
            f"nsg{i}",
            properties={
                "securityRules": [
                    {
                        "name": "rule",
                        "properties": {
                            "access": "Allow",
                            "direction": "Inbound",
                            "protocol": "Tcp",
                            "priority": 100,
                            "sourceAddressPrefix": "*" if i % 10 == 0 else "10.0.0.0/8",
                            "destinationPortRange": "22",
                        },
                    }
                ]
            },
        )
        for i in range(mix.network_security_groups)
    ]
    for i in range(mix.other_resources):
        resource("Microsoft.Compute", "disks", f"disk{i}")
    arm[f"{base}/Microsoft.Insights/diagnosticSettings"] = _diagnostics(True)
    user_databases = [d for d in databases if d["name"] != "master"]
    monitored = [*storage, *vaults, *servers, *user_databases, *machines]
    for i, item in enumerate(monitored):
        arm[f"{item['id']}/providers/Microsoft.Insights/diagnosticSettings"] = _diagnostics(
            i % 2 == 0
        )
    arm[f"/subscriptions/{sub}/resources"] = inventory
    _add_v11_surfaces(scenario, sub, servers, mix)


def _add_v11_surfaces(
    scenario: Scenario, sub: str, servers: list[dict[str, Any]], mix: SubscriptionMix
) -> None:
    """A22–A27: Defender plans, per-server auditing and administrators, flow logs and VNets.
    Watchers and VNets are not in the A20 inventory, which keeps its 1,000 resources."""
    arm, obj = scenario.arm_collections, scenario.arm_objects
    base = f"/subscriptions/{sub}/providers"
    arm[f"{base}/Microsoft.Security/pricings"] = [
        {"name": plan, "properties": {"pricingTier": "Standard" if i % 2 == 0 else "Free"}}
        for i, plan in enumerate(DEFENDER_PLANS)
    ]
    for i, server in enumerate(servers):
        obj[f"{server['id']}/auditingSettings/default"] = {
            "name": "Default",
            "properties": {"state": "Enabled" if i % 2 == 0 else "Disabled"},
        }
        arm[f"{server['id']}/administrators"] = [
            {
                "name": "ActiveDirectory",
                "properties": {
                    "administratorType": "ActiveDirectory",
                    "login": f"sql-admins-{i}",
                    "sid": user_id(i),
                    "azureADOnlyAuthentication": i % 3 == 0,
                },
            }
        ]
    watcher = _rid(sub, "Microsoft.Network", "networkWatchers", "NetworkWatcher_westeurope")
    arm[f"{base}/Microsoft.Network/networkWatchers"] = [{"id": watcher, "name": "watcher"}]
    networks = [
        _rid(sub, "Microsoft.Network", "virtualNetworks", f"vnet{i}")
        for i in range(mix.virtual_networks)
    ]
    arm[f"{base}/Microsoft.Network/virtualNetworks"] = [{"id": n, "name": "vnet"} for n in networks]
    arm[f"{watcher}/flowLogs"] = [
        {"name": f"fl{i}", "properties": {"enabled": True, "targetResourceId": network}}
        for i, network in enumerate(networks[::2])
    ]


def large_estate(
    size: Size, now: datetime | None = None, mix: SubscriptionMix = MIX
) -> tuple[Scenario, list[str]]:
    """The scenario and the subscription ids to configure."""
    moment = now or datetime.now(UTC)
    scenario = Scenario()
    scenario.arm_page_size = ARM_PAGE_SIZE
    add_entra(scenario, size, moment)
    subscriptions = [subscription_id(k) for k in range(size.subscriptions)]
    for sub in subscriptions:
        add_subscription(scenario, sub, moment, mix)
    return scenario, subscriptions
