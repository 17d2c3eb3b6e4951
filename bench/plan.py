"""The minimal request plan, and which contract route each logged request belongs to.

The minimal plan is the fewest requests the contract's metrics need at the endpoints' maximum
page sizes: every listing read once in full, every per-item call made once, one token per
resource. docs/performance.md writes the same plan out by hand.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import Counter
from datetime import UTC, datetime

from bench.estate import (
    ARM_PAGE_SIZE,
    DEFENDER_PLANS,
    GRAPH_PAGE_SIZE,
    MIX,
    SIGN_IN_ACTIVITY_PAGE_SIZE,
    USERS_CREATED_EVERY,
    USERS_CREATED_FROM,
    Size,
    SubscriptionMix,
    ca_groups_named,
)
from collector.clients.resource_graph import MAX_SUBSCRIPTIONS, PAGE_ROWS
from collector.services.azure.resource_graph import SURFACES
from collector.services.entra import user_partitions

# The planner's axis ends a day after the run; the plan takes this day (a run on another
# day splits at slightly different seconds: the same number of requests within a few).
PLAN_DAY = datetime(2026, 12, 2, tzinfo=UTC)

GRAPH_ROUTES = {
    "/v1.0/organization": "G1",
    "/v1.0/subscribedSkus": "G2",
    "/v1.0/users": "G3+G5",
    "/v1.0/reports/authenticationMethods/userRegistrationDetails": "G4",
    "/v1.0/identity/conditionalAccess/policies": "G6",
    "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy": "G7",
    "/v1.0/roleManagement/directory/roleAssignments": "G8",
    "/v1.0/roleManagement/directory/roleEligibilitySchedules": "G9",
    "/v1.0/servicePrincipals": "G10",
    "/v1.0/applications": "G11",
    "/v1.0/security/secureScores": "G12",
    "/v1.0/auditLogs/directoryAudits": "G13",
    "/v1.0/auditLogs/signIns": "G14",
    "/v1.0/policies/authorizationPolicy": "G15",
    "/v1.0/policies/authenticationMethodsPolicy": "G16",
    "/v1.0/policies/activityBasedTimeoutPolicies": "G17",
}
_GROUP_MEMBERS = re.compile(r"/v1\.0/groups/[^/]+/transitiveMembers")

_SUB = r"/subscriptions/[^/]+"
_ITEM = _SUB + r"/resourceGroups/[^/]+/providers/.+"
ARM_ROUTES = [  # first match wins: per-item routes before the listings they extend
    ("A0", rf"{_SUB}"),
    ("ARG", r"/providers/Microsoft\.ResourceGraph/resources"),
    ("A19", rf"{_ITEM}/providers/Microsoft\.Insights/diagnosticSettings"),
    ("A18", rf"{_SUB}/providers/Microsoft\.Insights/diagnosticSettings"),
    ("A1", rf"{_SUB}/providers/Microsoft\.Security/secureScores/ascScore"),
    ("A2", rf"{_SUB}/providers/Microsoft\.Security/assessments"),
    ("A3", rf"{_SUB}/providers/Microsoft\.Authorization/roleAssignments"),
    ("A4", rf"{_SUB}/providers/Microsoft\.Authorization/policyAssignments"),
    ("A5", rf"{_SUB}/providers/Microsoft\.PolicyInsights/policyStates/latest/summarize"),
    ("A6", rf"{_SUB}/providers/Microsoft\.Storage/storageAccounts"),
    ("A7", rf"{_SUB}/providers/Microsoft\.KeyVault/vaults"),
    ("A10", rf"{_ITEM}/databases/[^/]+/transparentDataEncryption/current"),
    ("A9", rf"{_ITEM}/databases"),
    ("A8", rf"{_SUB}/providers/Microsoft\.Sql/servers"),
    ("A11", rf"{_SUB}/providers/Microsoft\.Compute/virtualMachines"),
    ("A12", rf"{_SUB}/providers/Microsoft\.Network/publicIPAddresses"),
    ("A14", rf"{_ITEM}/backupProtectedItems"),
    ("A15", rf"{_ITEM}/backupPolicies"),
    ("A16", rf"{_ITEM}/backupJobs"),
    ("A13", rf"{_SUB}/providers/Microsoft\.RecoveryServices/vaults"),
    ("A17", rf"{_SUB}/providers/Microsoft\.Network/networkSecurityGroups"),
    ("A20", rf"{_SUB}/resources"),
    ("A22", rf"{_SUB}/providers/Microsoft\.Security/pricings"),
    ("A23", rf"{_ITEM}/auditingSettings/default"),
    ("A24", rf"{_ITEM}/administrators"),
    ("A26", rf"{_ITEM}/networkWatchers/[^/]+/flowLogs"),
    ("A25", rf"{_SUB}/providers/Microsoft\.Network/networkWatchers"),
    ("A27", rf"{_SUB}/providers/Microsoft\.Network/virtualNetworks"),
]
_ARM_PATTERNS = [(route, re.compile(pattern + "$", re.IGNORECASE)) for route, pattern in ARM_ROUTES]


def route_of(service: str, path: str) -> str:
    """The contract route id of one simulator log entry ("token" for the identity service)."""
    if service in ("login", "github"):
        return "token"
    if service == "graph":
        return "G18" if _GROUP_MEMBERS.fullmatch(path) else GRAPH_ROUTES.get(path, "other")
    for route, pattern in _ARM_PATTERNS:
        if pattern.match(path):
            return route
    return "other"


def _pages(rows: int, page_size: int) -> int:
    return max(1, math.ceil(rows / page_size))


def _users_requests(users: int) -> int:
    """The single chain, or (at MIN_USERS and above) the partitioned listing: the tenant's
    and the whole axis's `$count`, one per split the planner makes on this estate's creation
    times, and each range's chain."""
    if users < user_partitions.MIN_USERS:
        return 1 + _pages(users, SIGN_IN_ACTIVITY_PAGE_SIZE)  # the count that decides it
    step = USERS_CREATED_EVERY.total_seconds()

    async def created_in(part: user_partitions.Range) -> int:
        first = math.ceil((part.start - USERS_CREATED_FROM).total_seconds() / step)
        last = math.floor((part.end - USERS_CREATED_FROM).total_seconds() / step)
        return max(0, min(users - 1, last) - max(0, first) + 1)

    whole = user_partitions.axis(PLAN_DAY, users)
    ranges = asyncio.run(user_partitions.balanced(whole, created_in))
    assert ranges is not None
    splits = len(ranges) - 1
    chains = sum(_pages(r.count, SIGN_IN_ACTIVITY_PAGE_SIZE) for r in ranges)
    return 2 + splits + chains


def graph_rows(mix: SubscriptionMix) -> dict[str, int]:
    """Rows per subscription of each surface Resource Graph answers (SURFACES' keys)."""
    return {
        "A2": mix.assessments,
        "A6": mix.storage_accounts,
        "A7": mix.key_vaults,
        "A8": mix.sql_servers,
        "A11": mix.virtual_machines,
        "A12": mix.public_ips,
        "A13": mix.recovery_vaults,
        "A17": mix.network_security_groups,
        "A22": len(DEFENDER_PLANS),
        "A25": 1,
        "A27": mix.virtual_networks,
    }


def _graph_queries(size: Size, mix: SubscriptionMix) -> int:
    """Every surface's query, per batch of up to 1,000 subscriptions, at 1,000 rows a page."""
    assert set(graph_rows(mix)) == set(SURFACES)
    total = 0
    for start in range(0, size.subscriptions, MAX_SUBSCRIPTIONS):
        batch = min(MAX_SUBSCRIPTIONS, size.subscriptions - start)
        total += sum(_pages(rows * batch, PAGE_ROWS) for rows in graph_rows(mix).values())
    return total


def minimal_plan(
    size: Size, level: str, mix: SubscriptionMix = MIX, resource_graph: bool = False
) -> Counter[str]:
    """Requests per route for `size` at `level` (with the list surfaces from Resource Graph
    when `resource_graph`); the benchmark divides what it saw by this."""
    plan: Counter[str] = Counter(
        {
            "token": 2 if size.subscriptions else 1,
            "G1": 1,
            "G2": 1,
            "G3+G5": _users_requests(size.users),
            "G4": _pages(size.users, GRAPH_PAGE_SIZE),
            "G6": _pages(size.ca_policies, GRAPH_PAGE_SIZE),
            "G7": 1,
            "G8": _pages(size.role_assignments, GRAPH_PAGE_SIZE),
            "G9": _pages(size.eligibility_schedules, GRAPH_PAGE_SIZE),
            "G10": _pages(size.service_principals, GRAPH_PAGE_SIZE),
            "G11": _pages(size.applications, GRAPH_PAGE_SIZE),
            "G12": 1,
            "G15": 1,
            "G16": 1,
            "G17": 1,
            "G18": len(ca_groups_named(size)) * _pages(size.group_members, GRAPH_PAGE_SIZE),
        }
    )
    if level == "internal":
        plan["G13"] = _pages(size.directory_audits, GRAPH_PAGE_SIZE)
        plan["G14"] = _pages(size.sign_ins, GRAPH_PAGE_SIZE)
    per_subscription = {
        "A0": 1,
        "A1": 1,
        "A2": _pages(mix.assessments, ARM_PAGE_SIZE),
        "A3": _pages(mix.role_assignments, ARM_PAGE_SIZE),
        "A4": _pages(mix.policy_assignments, ARM_PAGE_SIZE),
        "A5": 1,
        "A6": _pages(mix.storage_accounts, ARM_PAGE_SIZE),
        "A7": _pages(mix.key_vaults, ARM_PAGE_SIZE),
        "A8": _pages(mix.sql_servers, ARM_PAGE_SIZE),
        "A9": mix.sql_servers,
        "A10": mix.user_databases,
        "A11": _pages(mix.virtual_machines, ARM_PAGE_SIZE),
        "A12": _pages(mix.public_ips, ARM_PAGE_SIZE),
        "A13": _pages(mix.recovery_vaults, ARM_PAGE_SIZE),
        "A14": mix.recovery_vaults,
        "A15": mix.recovery_vaults,
        "A16": mix.recovery_vaults,
        "A17": _pages(mix.network_security_groups, ARM_PAGE_SIZE),
        "A18": 1,
        "A19": mix.monitored,
        "A22": 1,
        "A23": mix.sql_servers,
        "A24": mix.sql_servers,
        "A25": 1,
        "A26": 1,  # one watcher
        "A27": _pages(mix.virtual_networks, ARM_PAGE_SIZE),
    }
    if level in ("audit", "internal"):
        per_subscription["A20"] = _pages(mix.resources, ARM_PAGE_SIZE)
    if resource_graph:
        for key in SURFACES:
            del per_subscription[key]
        plan["ARG"] = _graph_queries(size, mix)
    for route, count in per_subscription.items():
        plan[route] = count * size.subscriptions
    return plan
