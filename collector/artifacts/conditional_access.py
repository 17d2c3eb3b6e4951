"""The entra `conditional_access` block (v1.1 §V.4): enforcement, not registration.

Joins G6 (policies), G3 (users), G8 (role holders) and G18 (group members) through the pure
evaluator in `services.entra.enforcement`, with the declared break-glass accounts taken out
of every denominator.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from collector.collection.results import EntraResults
from collector.services.entra.conditional_access import ConditionalAccess
from collector.services.entra.enforcement import (
    DEFAULT_SESSION_LIFETIME_MIN,
    Coverage,
    Directory,
    EvaluatedPolicy,
    Population,
    Resolved,
    covered,
    excluded_from,
    exclusions_count,
)
from collector.services.entra.group_members import GroupMembers
from collector.services.entra.roles import RoleAssignments
from collector.services.entra.users import UserDirectory

Test = Callable[[EvaluatedPolicy], bool]


def _directory(entra: EntraResults, users: UserDirectory) -> Directory:
    expansion = entra.outcome("G18")
    known: GroupMembers = (expansion.value or {}) if expansion.called else {}
    assignments: RoleAssignments | None = entra.value("G8")

    def holders(role: str) -> Resolved:
        return None if assignments is None else assignments.holders(role, users.user_ids)

    return Directory(users.user_ids, users.guest_ids, known.get, holders)


@dataclass(frozen=True)
class Populations:
    """The denominators of §V.4, break-glass accounts removed (EMX, PUX), as views: the
    directory's sets are never copied."""

    members: Population  # EMX
    privileged: frozenset[str] | None  # PUX; None when the privileged_access block is omitted
    guests: AbstractSet[str]  # enabled guests
    privileged_users: frozenset[str] | None  # PU, break-glass included


def _populations(
    entra: EntraResults, users: UserDirectory, declared: frozenset[str]
) -> Populations:
    found = frozenset(user for user in declared if user in users.user_ids)
    assignments: RoleAssignments | None = entra.value("G8")
    privileged = (
        None
        if assignments is None
        else frozenset(r.principal_id for r in assignments.for_users(users.user_ids))
    )
    return Populations(
        members=Population(users.enabled_member_ids, removed=found),
        privileged=None if privileged is None else privileged - found,
        guests=users.enabled_guest_ids,
        privileged_users=privileged,
    )


def _relevant(policies: tuple[EvaluatedPolicy, ...], test: Test) -> list[EvaluatedPolicy]:
    return [p for p in policies if p.unconditioned and test(p)]


def _session_lifetime(enforced: tuple[EvaluatedPolicy, ...]) -> tuple[int, str]:
    lifetimes = [p.session_lifetime_min for p in enforced if p.session_lifetime_min is not None]
    return (min(lifetimes), "policy") if lifetimes else (DEFAULT_SESSION_LIFETIME_MIN, "default")


def _enforcement_metrics(
    policies: ConditionalAccess, entra: EntraResults, declared: frozenset[str]
) -> dict[str, Any]:
    users: UserDirectory | None = entra.value("G3")
    names = (
        "mfa_enforced_members_pct",
        "mfa_enforced_privileged_pct",
        "mfa_enforced_guests_pct",
        "phishing_resistant_enforced_privileged_pct",
        "mfa_report_only_members_pct",
        "legacy_auth_block_coverage_pct",
        "mfa_exclusions_count",
        "undeclared_mfa_exclusions_count",
    )
    if users is None:
        return dict.fromkeys(names)
    directory = _directory(entra, users)
    people = _populations(entra, users, declared)
    enforced = policies.enforced
    mfa = _relevant(enforced, lambda p: p.mfa_strict)
    phishing_resistant = _relevant(enforced, lambda p: p.pr_strict)
    if_live = _relevant(policies.evaluated, lambda p: p.mfa_strict)
    legacy = [p for p in enforced if p.blocks_legacy and not p.narrowed]

    def over_privileged(selected: list[EvaluatedPolicy]) -> int | None:
        if people.privileged is None:
            return None
        return covered(people.privileged, selected, directory).pct

    exclusions: int | None = None
    undeclared: int | None = None
    if people.privileged_users is not None:  # EM ∪ PU is known
        among = Population(users.enabled_member_ids, extra=people.privileged_users)
        coverage: Coverage = covered(among, mfa, directory)
        excluded = excluded_from(among, mfa, directory)
        exclusions = exclusions_count(excluded, coverage, among)
        undeclared = exclusions_count(
            excluded, coverage, Population(among.base, removed=declared, extra=among.extra)
        )
    return {
        "mfa_enforced_members_pct": covered(people.members, mfa, directory).pct,
        "mfa_enforced_privileged_pct": over_privileged(mfa),
        "mfa_enforced_guests_pct": covered(people.guests, mfa, directory).pct,
        "phishing_resistant_enforced_privileged_pct": over_privileged(phishing_resistant),
        "mfa_report_only_members_pct": covered(people.members, if_live, directory).pct,
        "legacy_auth_block_coverage_pct": covered(people.members, legacy, directory).pct,
        "mfa_exclusions_count": exclusions,
        "undeclared_mfa_exclusions_count": undeclared,
    }


def build(entra: EntraResults, declared: frozenset[str]) -> dict[str, Any] | None:
    """The block in §V.4 key order; None (omitted) when G6 is unavailable."""
    policies: ConditionalAccess | None = entra.value("G6")
    if policies is None:
        return None
    users: UserDirectory | None = entra.value("G3")
    enforced = policies.enforced
    lifetime, source = _session_lifetime(enforced)
    return {
        "enforced_policies_count": len(enforced),
        "report_only_policies_count": policies.report_only_count,
        "disabled_policies_count": policies.disabled_count,
        **_enforcement_metrics(policies, entra, declared),
        "emergency_access_accounts_declared": len(declared),
        "emergency_access_accounts_found": (
            len(declared & users.user_ids) if users is not None else None
        ),
        "sign_in_risk_policy_enforced": any(p.sign_in_risk_enforced for p in enforced),
        "user_risk_policy_enforced": any(p.user_risk_enforced for p in enforced),
        "session_lifetime_max_min": lifetime,
        "session_lifetime_source": source,
    }


def managed_device_required(entra: EntraResults) -> bool | None:
    """`device_access.managed_device_required` of §V.9; None when G6 is unavailable."""
    policies: ConditionalAccess | None = entra.value("G6")
    if policies is None:
        return None
    return any(p.managed_device_required for p in policies.enforced)
