"""G6 Conditional Access policies: each policy reduced to the facts §5.1.4 and §V.4 evaluate.

Policy names are not requested; conditions are reduced to booleans and opaque ID sets (users,
groups, roles), which are join keys only. `Prefer: include-unknown-enum-members` makes Graph
send evolvable enum values such as `riskRemediation` as themselves, not `unknownFutureValue`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp
from collector.services.entra.enforcement import EvaluatedPolicy, evaluate_policy

QUERY = GraphQuery(
    lambda client: client.identity.conditional_access.policies,
    select=("id", "state", "conditions", "grantControls", "sessionControls"),
    headers=(("Prefer", "include-unknown-enum-members"),),
)
ENFORCED: Final = "enabled"
REPORT_ONLY: Final = "enabledforreportingbutnotenforced"
DISABLED: Final = "disabled"
LEGACY_CLIENT_TYPES = frozenset({"all", "exchangeactivesync", "other"})


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _lower_set(value: Any) -> frozenset[str]:
    return frozenset(item.lower() for item in _strings(value))


@dataclass(frozen=True)
class PolicyFacts:
    enabled: bool
    requires_mfa: bool
    requires_compliant_or_joined_device: bool
    blocks: bool
    all_users: bool
    include_users: frozenset[str]
    exclude_users: frozenset[str]
    includes_roles: bool
    admin_portals: bool
    all_apps: bool
    legacy_clients: bool


def reduce_policy(policy: dict[str, Any]) -> PolicyFacts:
    grant = _obj(policy.get("grantControls"))
    controls = _lower_set(grant.get("builtInControls"))
    conditions = _obj(policy.get("conditions"))
    users = _obj(conditions.get("users"))
    apps = _obj(conditions.get("applications"))
    include_apps = _lower_set(apps.get("includeApplications"))
    exclude_apps = _lower_set(apps.get("excludeApplications"))
    state = policy.get("state")
    return PolicyFacts(
        enabled=isinstance(state, str) and state.lower() == "enabled",
        requires_mfa="mfa" in controls or isinstance(grant.get("authenticationStrength"), dict),
        requires_compliant_or_joined_device=bool(
            controls & {"compliantdevice", "domainjoineddevice"}
        ),
        blocks="block" in controls,
        all_users="all" in _lower_set(users.get("includeUsers")),
        include_users=_lower_set(users.get("includeUsers")),
        exclude_users=_lower_set(users.get("excludeUsers")),
        includes_roles=bool(_strings(users.get("includeRoles"))),
        admin_portals="microsoftadminportals" not in exclude_apps
        and bool(include_apps & {"microsoftadminportals", "all"}),
        all_apps="all" in include_apps and "all" not in exclude_apps,
        legacy_clients=bool(_lower_set(conditions.get("clientAppTypes")) & LEGACY_CLIENT_TYPES),
    )


@dataclass(frozen=True)
class ConditionalAccess:
    """CAP of contract §5.0 (the enabled policies), and ENF ∪ RO evaluated for §V.4."""

    enabled_policies: tuple[PolicyFacts, ...]
    evaluated: tuple[EvaluatedPolicy, ...] = ()
    disabled_count: int = 0

    @property
    def enforced(self) -> tuple[EvaluatedPolicy, ...]:
        """ENF of §V.4."""
        return tuple(policy for policy in self.evaluated if policy.enforced)

    @property
    def report_only_count(self) -> int:
        return sum(1 for policy in self.evaluated if not policy.enforced)

    @property
    def groups(self) -> tuple[str, ...]:
        """CAG of §V.4: every group ID a policy of ENF ∪ RO includes or excludes, first seen."""
        seen = (g for p in self.evaluated for g in (*p.include.groups, *p.exclude.groups))
        return tuple(dict.fromkeys(seen))

    def covered(self, enabled_members: set[str]) -> set[str]:
        """COVERED of §5.1.4: members an enabled MFA policy names (groups and roles unexpanded)."""
        covered: set[str] = set()
        for policy in self.enabled_policies:
            if not policy.requires_mfa:
                continue
            if policy.all_users:
                covered |= enabled_members - policy.exclude_users
            else:
                covered |= enabled_members & policy.include_users
        return covered

    def any_policy(self, predicate: Callable[[PolicyFacts], bool]) -> bool:
        return any(predicate(policy) for policy in self.enabled_policies)


async def fetch(reader: GraphReader) -> ConditionalAccess:
    enabled: list[PolicyFacts] = []
    evaluated: list[EvaluatedPolicy] = []
    disabled = 0
    async for page in reader.pages(QUERY):
        for policy in page:
            state = jp.lower(policy, "state")
            if state in (ENFORCED, REPORT_ONLY):
                evaluated.append(evaluate_policy(policy))
            disabled += state == DISABLED
            if (facts := reduce_policy(policy)).enabled:
                enabled.append(facts)
    return ConditionalAccess(tuple(enabled), tuple(evaluated), disabled)
