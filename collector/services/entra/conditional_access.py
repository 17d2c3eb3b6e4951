"""G6 Conditional Access policies: each policy reduced to the facts §5.1.4 evaluates.

Policy names are not requested; conditions are reduced to booleans and opaque user-ID sets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collector.clients.graph import GraphQuery, GraphReader

QUERY = GraphQuery(
    lambda client: client.identity.conditional_access.policies,
    select=("id", "state", "conditions", "grantControls"),
)
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
    """CAP of contract §5.0: the enabled policies only."""

    enabled_policies: tuple[PolicyFacts, ...]

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
    async for page in reader.pages(QUERY):
        enabled.extend(f for f in map(reduce_policy, page) if f.enabled)
    return ConditionalAccess(tuple(enabled))
