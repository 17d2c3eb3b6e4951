"""The surface registry: one row per Microsoft surface, and everything derived from the table.

Diagnostics (warnings, error names, capabilities, truncation names), the surfaces a run is
expected to call at a level, the dependency gates (G3 → G8 → G9, A4 → A5, A8 → A9 → A10,
A13 → A14–A16, MON → A19) and the routes of failures that have no request of their own all
read this table. Adding a surface is one row here, one service module, and its tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal, Protocol, TypeVar

from collector.core.errors import FatalError
from collector.core.outcomes import (
    Failure,
    Kind,
    Outcome,
    Service,
    SurfaceError,
    SurfaceResults,
    internal_error,
)

T = TypeVar("T")
Level = Literal["trust", "audit", "internal"]
Scope = Literal["tenant", "subscription"]
LEVELS: Final[tuple[Level, ...]] = ("trust", "audit", "internal")
P1_OR_P2: Final = "Microsoft Entra ID P1 or P2"
P2_OR_GOVERNANCE: Final = "Microsoft Entra ID P2 or Microsoft Entra ID Governance"
GROUP_MEMBERSHIP: Final = "GroupMember.Read.All"  # optional, recommended (v1.1 §V.3)
# G18 expands at most this many Conditional Access groups; more → no G18 call at all (§V.3).
MAX_CA_GROUPS: Final = 500


class Gate(Enum):
    """When a surface with parents is called, given its parents' outcomes (§5.1.6, §5.2)."""

    PARENTS_AVAILABLE = "every parent is available"
    UNLESS_PARENT_IS_ZERO = "unless the parent is available with the value 0"
    MONITORED_RESOURCES = "every parent is available and MON is not empty"
    CA_GROUPS = "every parent is available and CAG is not empty nor over the group cap"


@dataclass(frozen=True)
class Surface:
    """One Microsoft surface: how it is named, gated and reported.

    `name` is the surface's name in `tenant_errors` / `subscription_errors` and truncation keys;
    for G3–G14 it is also the capability (§6.3). `route` is the sanitized first-request route
    (§6.6.1), used for failures that happen before or without a request.
    """

    key: str
    service: Service
    route: str
    label: str
    name: str
    capability: str | None = None
    permission: str | None = None
    licence: str | None = None
    namespace: str | None = None
    parents: tuple[str, ...] = ()
    gate: Gate = Gate.PARENTS_AVAILABLE
    level: Level = "trust"
    per_item: bool = False
    mandatory: bool = False  # G1 (fatal) and A0 (the subscription probe)
    listed_with: str | None = None  # answered by another surface's requests (G5 by G3's)
    capability_when_parent_unavailable: bool = False  # §6.3: G8 when G3 is unavailable
    feeds: str = ""  # what in the artifacts it feeds (preflight, docs)
    # A truncation key that, when recorded, also makes the capability unavailable (G18's cap).
    truncation: str | None = None

    @property
    def scope(self) -> Scope:
        return "tenant" if self.service == "graph" else "subscription"

    def at(self, level: str) -> bool:
        return LEVELS.index(self.level) <= LEVELS.index(level)


_SUB = "/subscriptions/[subscription_id]"
_PROVIDERS = f"{_SUB}/providers"
_VAULT = (
    f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.RecoveryServices/vaults/[vaults]"
)


def _graph(
    key: str,
    route: str,
    label: str,
    name: str,
    permission: str,
    licence: str | None = P1_OR_P2,
    **extra: Any,
) -> Surface:
    capability = None if key in ("G1", "G2") else name
    return Surface(key, "graph", route, label, name, capability, permission, licence, **extra)


def _arm(key: str, route: str, label: str, name: str, namespace: str, **extra: Any) -> Surface:
    return Surface(key, "arm", route, label, name, namespace=namespace, **extra)


SURFACES: Final[tuple[Surface, ...]] = (
    _graph(
        "G1",
        "/organization?$select",
        "Tenant organization",
        "organization",
        "Organization.Read.All",
        mandatory=True,
        feeds="tenant_id, org_domain (mandatory)",
    ),
    _graph(
        "G2",
        "/subscribedSkus?$select",
        "Licence detection",
        "subscribed_skus",
        "Organization.Read.All",
        feeds="diagnostics.license.entra_tier",
    ),
    _graph(
        "G3",
        "/users?$select&$top",
        "User directory listing",
        "users",
        "User.Read.All",
        feeds="users counts, posture denominators, privileged_access",
    ),
    _graph(
        "G4",
        "/reports/authenticationMethods/userRegistrationDetails",
        "MFA registration report",
        "mfa_registration_report",
        "AuditLog.Read.All",
        feeds="posture.mfa_*, posture.sspr_registered",
    ),
    _graph(
        "G5",
        "/users?$select&$top",
        "User sign-in activity",
        "sign_in_activity",
        "AuditLog.Read.All",
        listed_with="G3",
        feeds="users.inactive_pct, users.inactive_guest_pct",
    ),
    _graph(
        "G6",
        "/identity/conditionalAccess/policies?$select",
        "Conditional Access policies",
        "conditional_access",
        "Policy.Read.All",
        feeds="policy (Conditional Access)",
    ),
    _graph(
        "G7",
        "/policies/identitySecurityDefaultsEnforcementPolicy",
        "Security defaults policy",
        "security_defaults",
        "Policy.Read.All",
        feeds="security_defaults.enabled",
    ),
    _graph(
        "G8",
        "/roleManagement/directory/roleAssignments?$select&$top",
        "Directory role assignments",
        "privileged_access",
        "RoleManagement.Read.Directory",
        parents=("G3",),
        capability_when_parent_unavailable=True,
        feeds="privileged_access",
    ),
    _graph(
        "G9",
        "/roleManagement/directory/roleEligibilitySchedules?$expand&$top",
        "PIM eligibility schedules",
        "pim",
        "RoleEligibilitySchedule.Read.Directory",
        P2_OR_GOVERNANCE,
        parents=("G8",),
        feeds="privileged_access.pim_eligible_pct, standing_assignment_count",
    ),
    _graph(
        "G10",
        "/servicePrincipals?$filter&$select&$top",
        "Enterprise applications",
        "enterprise_apps",
        "Application.Read.All",
        feeds="apps (enterprise applications), posture.sso_coverage",
    ),
    _graph(
        "G11",
        "/applications?$select&$top",
        "Application credentials",
        "application_credentials",
        "Application.Read.All",
        feeds="apps credential counts",
    ),
    _graph(
        "G12",
        "/security/secureScores?$top",
        "Microsoft Secure Score",
        "identity_secure_score",
        "SecurityEvents.Read.All",
        feeds="secure_score.identity_pct",
    ),
    _graph(
        "G13",
        "/auditLogs/directoryAudits?$filter&$orderby&$select&$top",
        "Directory audit log",
        "directory_audit_activity",
        "AuditLog.Read.All",
        level="internal",
        feeds="directory_activity (internal)",
    ),
    _graph(
        "G14",
        "/auditLogs/signIns?$filter&$orderby&$select&$top",
        "Sign-in log",
        "sign_in_logs",
        "AuditLog.Read.All",
        level="internal",
        feeds="sign_in_monitoring (internal)",
    ),
    _graph(
        "G15",
        "/policies/authorizationPolicy",
        "authorization policy",
        "authorization_policy",
        "Policy.Read.All",
        None,
        feeds="authorization",
    ),
    _graph(
        "G16",
        "/policies/authenticationMethodsPolicy",
        "authentication methods policy",
        "authentication_methods_policy",
        "Policy.Read.All",
        None,
        feeds="authentication_methods",
    ),
    _graph(
        "G17",
        "/policies/activityBasedTimeoutPolicies",
        "activity-based timeout policies",
        "activity_timeout_policy",
        "Policy.Read.All",
        None,
        feeds="idp-posture policy.idle_timeout_max_min",
    ),
    _graph(
        "G18",
        "/groups/[group_id]/transitiveMembers/microsoft.graph.user?$select",
        "group membership for Conditional Access",
        "ca_group_expansion",
        GROUP_MEMBERSHIP,
        None,
        parents=("G6",),
        gate=Gate.CA_GROUPS,
        per_item=True,
        truncation="conditional_access/groups",
        feeds="conditional_access enforcement metrics (groups in policy scopes)",
    ),
    _arm(
        "A0",
        f"{_SUB}?api-version",
        "Subscription",
        "subscription",
        "Microsoft.Resources",
        mandatory=True,
        feeds="the whole subscription (probe)",
    ),
    _arm(
        "A1",
        f"{_PROVIDERS}/Microsoft.Security/secureScores/[securescores]?api-version",
        "Defender secure score",
        "defender_secure_score",
        "Microsoft.Security",
        feeds="defender.secure_score_pct",
    ),
    _arm(
        "A2",
        f"{_PROVIDERS}/Microsoft.Security/assessments?api-version",
        "Defender assessments",
        "defender_assessments",
        "Microsoft.Security",
        feeds="defender.unpatched_pct",
    ),
    _arm(
        "A3",
        f"{_PROVIDERS}/Microsoft.Authorization/roleAssignments?$filter&api-version",
        "RBAC role assignments",
        "rbac_role_assignments",
        "Microsoft.Authorization",
        feeds="rbac owner counts, diagnostics.permissions",
    ),
    _arm(
        "A4",
        f"{_PROVIDERS}/Microsoft.Authorization/policyAssignments?api-version",
        "Azure Policy assignments",
        "policy_assignments",
        "Microsoft.Authorization",
        feeds="policy.assignments_count",
    ),
    _arm(
        "A5",
        f"{_PROVIDERS}/Microsoft.PolicyInsights/policyStates/[policystates]/summarize?api-version",
        "Azure Policy compliance summary",
        "policy_compliance",
        "Microsoft.PolicyInsights",
        parents=("A4",),
        gate=Gate.UNLESS_PARENT_IS_ZERO,
        feeds="policy.compliant_pct, noncompliant_resources_count",
    ),
    _arm(
        "A6",
        f"{_PROVIDERS}/Microsoft.Storage/storageAccounts?api-version",
        "Storage accounts",
        "storage_accounts",
        "Microsoft.Storage",
        feeds="storage",
    ),
    _arm(
        "A7",
        f"{_PROVIDERS}/Microsoft.KeyVault/vaults?api-version",
        "Key Vault inventory",
        "key_vaults",
        "Microsoft.KeyVault",
        feeds="keyvault",
    ),
    _arm(
        "A8",
        f"{_PROVIDERS}/Microsoft.Sql/servers?api-version",
        "SQL server inventory",
        "sql_servers",
        "Microsoft.Sql",
        feeds="sql servers",
    ),
    _arm(
        "A9",
        f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/databases?api-version",
        "SQL database inventory",
        "sql_databases",
        "Microsoft.Sql",
        parents=("A8",),
        per_item=True,
        feeds="sql databases",
    ),
    _arm(
        "A10",
        "[resource_id]/transparentDataEncryption/current?api-version",
        "SQL transparent data encryption",
        "sql_tde",
        "Microsoft.Sql",
        parents=("A9",),
        per_item=True,
        feeds="sql.tde_enabled_pct",
    ),
    _arm(
        "A11",
        f"{_PROVIDERS}/Microsoft.Compute/virtualMachines?api-version",
        "Virtual machine inventory",
        "virtual_machines",
        "Microsoft.Compute",
        feeds="compute",
    ),
    _arm(
        "A12",
        f"{_PROVIDERS}/Microsoft.Network/publicIPAddresses?api-version",
        "Public IP inventory",
        "public_ip_addresses",
        "Microsoft.Network",
        feeds="compute public IPs",
    ),
    _arm(
        "A13",
        f"{_PROVIDERS}/Microsoft.RecoveryServices/vaults?api-version",
        "Recovery Services vault inventory",
        "recovery_services_vaults",
        "Microsoft.RecoveryServices",
        feeds="backup vaults",
    ),
    _arm(
        "A14",
        f"{_VAULT}/backupProtectedItems?api-version",
        "Backup protected items",
        "backup_protected_items",
        "Microsoft.RecoveryServices",
        parents=("A13",),
        per_item=True,
        feeds="backup protected items",
    ),
    _arm(
        "A15",
        f"{_VAULT}/backupPolicies?api-version",
        "Backup policies",
        "backup_policies",
        "Microsoft.RecoveryServices",
        parents=("A13",),
        per_item=True,
        listed_with="A14",
        feeds="backup retention",
    ),
    _arm(
        "A16",
        f"{_VAULT}/backupJobs?$filter&api-version",
        "Backup job history",
        "backup_jobs",
        "Microsoft.RecoveryServices",
        parents=("A13",),
        per_item=True,
        listed_with="A14",
        feeds="backup jobs",
    ),
    _arm(
        "A17",
        f"{_PROVIDERS}/Microsoft.Network/networkSecurityGroups?api-version",
        "Network security groups",
        "network_security_groups",
        "Microsoft.Network",
        feeds="network SSH/RDP exposure",
    ),
    _arm(
        "A18",
        f"{_PROVIDERS}/Microsoft.Insights/diagnosticSettings?api-version",
        "Subscription diagnostic settings",
        "subscription_diagnostic_settings",
        "Microsoft.Insights",
        feeds="logging.activity_log_exported",
    ),
    _arm(
        "A19",
        "[resource_id]/providers/Microsoft.Insights/diagnosticSettings?api-version",
        "Resource diagnostic settings",
        "resource_diagnostic_settings",
        "Microsoft.Insights",
        parents=("A6", "A7", "A8", "A9", "A11"),
        gate=Gate.MONITORED_RESOURCES,
        per_item=True,
        feeds="logging resource diagnostic coverage",
    ),
    _arm(
        "A20",
        f"{_SUB}/resources?api-version",
        "Azure resource inventory",
        "resource_inventory",
        "Microsoft.Resources",
        level="audit",
        feeds="inventory (audit)",
    ),
    _arm(
        "A22",
        f"{_PROVIDERS}/Microsoft.Security/pricings?api-version",
        "Defender plans",
        "defender_plans",
        "Microsoft.Security",
        feeds="defender plans, cloud-posture vuln_scanning.enabled",
    ),
    _arm(
        "A23",
        f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/auditingSettings/[auditingsettings]?api-version",
        "SQL auditing settings",
        "sql_auditing_settings",
        "Microsoft.Sql",
        parents=("A8",),
        per_item=True,
        feeds="sql.auditing_enabled_pct",
    ),
    _arm(
        "A24",
        f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/administrators?api-version",
        "SQL Entra administrators",
        "sql_entra_administrators",
        "Microsoft.Sql",
        parents=("A8",),
        per_item=True,
        feeds="sql.entra_admin_pct, entra_only_auth_pct",
    ),
    _arm(
        "A25",
        f"{_PROVIDERS}/Microsoft.Network/networkWatchers?api-version",
        "network watchers",
        "network_watchers",
        "Microsoft.Network",
        feeds="network.flow_logs_pct",
    ),
    _arm(
        "A26",
        f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.Network/networkWatchers/[networkwatchers]/flowLogs?api-version",
        "flow logs",
        "flow_logs",
        "Microsoft.Network",
        parents=("A25",),
        per_item=True,
        feeds="network.flow_logs_pct, cloud-posture logging.flow_logs_pct",
    ),
    _arm(
        "A27",
        f"{_PROVIDERS}/Microsoft.Network/virtualNetworks?api-version",
        "virtual networks",
        "virtual_networks",
        "Microsoft.Network",
        feeds="network.virtual_networks_count, flow_logs_pct denominator",
    ),
    _arm(
        "A21",
        "/providers/Microsoft.ResourceGraph/resources?api-version",
        "Azure resource inventory",
        "resource_graph",
        "Microsoft.ResourceGraph",
        level="audit",
        feeds="(not collected)",
    ),
)
BY_KEY: Final = {surface.key: surface for surface in SURFACES}
# A21 (Resource Graph) is declared for its names (§6.4.3, §6.5) but this release reads the
# inventory through A20 only; it is never expected or called.
NOT_COLLECTED: Final = frozenset({"A21"})


def surface(key: str) -> Surface:
    return BY_KEY[key]


def scope_surfaces(scope: Scope, *, include_mandatory: bool = False) -> Iterator[Surface]:
    """The surfaces of a scope in canonical (number) order."""
    for row in SURFACES:
        wanted = row.scope == scope and row.key not in NOT_COLLECTED
        if wanted and (include_mandatory or not row.mandatory):
            yield row


def capability_order() -> list[str]:
    """The canonical order of `capabilities_unavailable` (§6.3)."""
    return [row.capability for row in SURFACES if row.capability]


class _HasGroups(Protocol):
    @property
    def groups(self) -> Sequence[str]: ...


def ca_groups(results: SurfaceResults) -> Sequence[str] | None:
    """CAG of v1.1 §V.4 (first-seen order), or None when G6 is unavailable."""
    policies: _HasGroups | None = results.value("G6")
    return None if policies is None else policies.groups


class _HasIds(Protocol):
    @property
    def ids(self) -> Sequence[str]: ...


def monitored_resources(results: SurfaceResults) -> list[str] | None:
    """MON of §5.2.12: ids of SA, KV, SRV, DB, VMS in that order; None when any is unknown."""
    accounts: _HasIds | None = results.value("A6")
    vaults: _HasIds | None = results.value("A7")
    servers: _HasIds | None = results.value("A8")
    databases: Sequence[str | None] | None = results.value("A9")
    machines: _HasIds | None = results.value("A11")
    if (
        accounts is None
        or vaults is None
        or servers is None
        or databases is None
        or machines is None
    ):
        return None
    return [
        *accounts.ids,
        *vaults.ids,
        *(i for i in servers.ids if i),
        *(i for i in databases if i),
        *machines.ids,
    ]


def gate_open(row: Surface, results: SurfaceResults) -> bool:
    """Whether `row` is called, given its parents' outcomes (the parents have completed)."""
    if row.gate is Gate.UNLESS_PARENT_IS_ZERO:
        parent = results.outcome(row.parents[0])
        return not parent.available or parent.value != 0
    if not all(results.available(parent) for parent in row.parents):
        return False
    if row.gate is Gate.MONITORED_RESOURCES:
        return bool(monitored_resources(results))
    if row.gate is Gate.CA_GROUPS:
        return 0 < len(ca_groups(results) or ()) <= MAX_CA_GROUPS
    return True


def expected(scope: Scope, level: str, results: SurfaceResults) -> list[str]:
    """The surfaces of a scope this run calls at `level`, given the parents that completed."""
    return [row.key for row in scope_surfaces(scope) if row.at(level) and gate_open(row, results)]


def invalid_id(key: str) -> SurfaceError:
    """A malformed resource ID met by surface `key`: no request is sent, and the route is the
    surface's path with every placeholder sanitized and only `api-version` (§6.5)."""
    row = BY_KEY[key]
    path = row.route.split("?", 1)[0]
    return SurfaceError(Failure.of(Kind.INVALID_ID, row.service, f"{path}?api-version"))


async def outcome_of(key: str, call: Callable[[], Awaitable[T]]) -> Outcome[T]:
    """Run surface `key`: any failure but a fatal one becomes an unavailable outcome (§3.6).

    An exception that is neither a classified SurfaceError nor fatal is a bug in our own code:
    the surface is nulled (the run goes on) and reported as an internal error of that surface.
    """
    try:
        return Outcome(await call())
    except SurfaceError as error:
        return Outcome(None, (error.failure,))
    except FatalError:
        raise
    except Exception as error:
        row = BY_KEY[key]
        return Outcome(None, (internal_error(key, row.service, row.route, error),))
