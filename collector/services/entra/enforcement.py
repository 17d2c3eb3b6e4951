"""The Conditional Access evaluator of v1.1 §V.4: who a policy really enforces what on.

Pure: no client, no I/O. A policy's JSON is reduced once (`evaluate_policy`) to the clauses
§V.4 tests and to opaque ID sets of its user conditions; `Directory` then resolves those sets
against the tenant (users, groups expanded by G18, role holders from G8). A group or role that
could not be read makes a side of a policy *unknown*, and a metric that would need to know is
null rather than a guess. Nothing here is ever output but counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final

from collector.core import json_paths as jp
from collector.core.metrics import is_number, object_id, pct

# Built-in authentication strengths: multifactor, passwordless MFA, phishing-resistant MFA.
MFA_STRENGTHS: Final = frozenset(
    {
        "00000000-0000-0000-0000-000000000002",
        "00000000-0000-0000-0000-000000000003",
        "00000000-0000-0000-0000-000000000004",
    }
)
PHISHING_RESISTANT_STRENGTH: Final = "00000000-0000-0000-0000-000000000004"
PHISHING_RESISTANT_COMBINATIONS: Final = frozenset(
    {"fido2", "windowshelloforbusiness", "x509certificatemultifactor"}
)
DEVICE_CONTROLS: Final = frozenset({"compliantdevice", "domainjoineddevice"})
DEFAULT_SESSION_LIFETIME_MIN: Final = 129_600  # Entra's rolling 90-day inactivity window
MINUTES_PER_UNIT: Final = {"hours": 60, "days": 1440}


def _lower_set(document: Any, *path: str) -> frozenset[str]:
    return frozenset(item.lower() for item in jp.strings(document, *path))


def _present(document: Any, *path: str) -> bool:
    """A property that is there and not JSON null ("non-null" in §V.4)."""
    return jp.get(document, *path) is not None


@dataclass(frozen=True)
class UserCondition:
    """One side (include or exclude) of a policy's `conditions.users`, as opaque IDs."""

    all_users: bool
    users: frozenset[str]
    groups: tuple[str, ...]
    roles: tuple[str, ...]
    guests: bool

    @staticmethod
    def of(users: Any, side: str) -> UserCondition:
        prefix = "include" if side == "include" else "exclude"
        listed = _lower_set(users, f"{prefix}Users")
        return UserCondition(
            all_users=side == "include" and "all" in listed,
            users=frozenset(object_id(item) for item in listed),
            groups=tuple(dict.fromkeys(object_id(g) for g in jp.strings(users, f"{prefix}Groups"))),
            roles=tuple(dict.fromkeys(object_id(r) for r in jp.strings(users, f"{prefix}Roles"))),
            guests="guestsorexternalusers" in listed
            or isinstance(jp.get(users, f"{prefix}GuestsOrExternalUsers"), dict),
        )


@dataclass(frozen=True)
class EvaluatedPolicy:
    """One enabled or report-only policy, reduced to the clauses of §V.4."""

    enforced: bool  # state enabled (ENF); otherwise report-only (RO)
    include: UserCondition
    exclude: UserCondition
    all_apps: bool
    narrowed: bool
    unconditioned: bool
    mfa_strict: bool
    pr_strict: bool
    blocks: bool
    blocks_legacy: bool
    sign_in_risk_enforced: bool
    user_risk_enforced: bool
    session_lifetime_min: int | None  # a qualifying sign-in frequency, in minutes
    managed_device_required: bool


def _narrowed(conditions: Any) -> bool:
    platforms = jp.get(conditions, "platforms")
    locations = jp.get(conditions, "locations")
    return (
        (
            platforms is not None
            and (
                "all" not in _lower_set(platforms, "includePlatforms")
                or bool(jp.strings(platforms, "excludePlatforms"))
            )
        )
        or (
            locations is not None
            and (
                "all" not in _lower_set(locations, "includeLocations")
                or bool(jp.strings(locations, "excludeLocations"))
            )
        )
        or any(
            jp.strings(conditions, name)
            for name in ("signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels")
        )
        or _present(conditions, "insiderRiskLevels")
        or _present(conditions, "devices", "deviceFilter")
        or _present(conditions, "authenticationFlows")
    )


def _strength_is_mfa(strength: Any) -> bool:
    if not isinstance(strength, dict):
        return False
    satisfied = strength.get("requirementsSatisfied")
    if isinstance(satisfied, str):
        return satisfied.lower() == "mfa"
    return jp.lower(strength, "id") in MFA_STRENGTHS


def _strength_is_phishing_resistant(strength: Any) -> bool:
    if jp.lower(strength, "id") == PHISHING_RESISTANT_STRENGTH:
        return True
    combinations = _lower_set(strength, "allowedCombinations")
    return bool(combinations) and combinations <= PHISHING_RESISTANT_COMBINATIONS


def _session_lifetime(policy: Any, all_apps: bool, all_users: bool) -> int | None:
    frequency = jp.get(policy, "sessionControls", "signInFrequency")
    if not (all_apps and all_users and jp.is_true(frequency, "isEnabled")):
        return None
    interval = jp.get(frequency, "frequencyInterval")
    if interval is not None and jp.lower(frequency, "frequencyInterval") != "timebased":
        return None
    if jp.lower(frequency, "authenticationType") == "secondaryauthentication":
        return None
    value = jp.get(frequency, "value")
    unit = MINUTES_PER_UNIT.get(jp.lower(frequency, "type"))
    if unit is None or not is_number(value):
        return None
    return int(value) * unit


def evaluate_policy(policy: Mapping[str, Any]) -> EvaluatedPolicy:
    """Reduce one G6 policy (of ENF ∪ RO) to what §V.4 evaluates."""
    grant = jp.get(policy, "grantControls")
    controls = _lower_set(grant, "builtInControls")
    strength = jp.get(grant, "authenticationStrength")
    is_and = jp.lower(grant, "operator") == "and"
    conditions = jp.get(policy, "conditions")
    users = jp.get(conditions, "users")
    include_apps = _lower_set(conditions, "applications", "includeApplications")
    all_apps = "all" in include_apps and "all" not in _lower_set(
        conditions, "applications", "excludeApplications"
    )
    client_types = _lower_set(conditions, "clientAppTypes")
    narrowed = _narrowed(conditions)
    blocks = "block" in controls
    include = UserCondition.of(users, "include")
    mfa_strict = (
        not blocks
        and ("mfa" in controls or _strength_is_mfa(strength))
        and (is_and or controls <= {"mfa"})
    )
    return EvaluatedPolicy(
        enforced=jp.lower(policy, "state") == "enabled",
        include=include,
        exclude=UserCondition.of(users, "exclude"),
        all_apps=all_apps,
        narrowed=narrowed,
        unconditioned=all_apps
        and not jp.strings(conditions, "applications", "includeUserActions")
        and (not client_types or "all" in client_types)
        and not narrowed,
        mfa_strict=mfa_strict,
        pr_strict=not blocks
        and isinstance(strength, dict)
        and _strength_is_phishing_resistant(strength)
        and (is_and or not controls),
        blocks=blocks,
        blocks_legacy=blocks
        and all_apps
        and ("all" in client_types or {"exchangeactivesync", "other"} <= client_types),
        sign_in_risk_enforced=bool(_lower_set(conditions, "signInRiskLevels") & {"high", "medium"})
        and (mfa_strict or blocks),
        user_risk_enforced="high" in _lower_set(conditions, "userRiskLevels")
        and bool(controls & {"passwordchange", "riskremediation", "block"}),
        session_lifetime_min=_session_lifetime(policy, all_apps, include.all_users),
        managed_device_required=all_apps
        and include.all_users
        and bool(controls & DEVICE_CONTROLS)
        and (is_and or (controls <= DEVICE_CONTROLS and not isinstance(strength, dict))),
    )


# A resolved user set; None is *unknown* (a group or role it needs could not be read).
Resolved = frozenset[str] | None


@dataclass(frozen=True)
class Reach:
    """Who a policy (or a union of policies) reaches: everyone but `users`, or exactly `users`.

    A policy for all users is kept as its (small) exclusions, never as a copy of a 200,000-user
    directory, so evaluating dozens of policies costs sets the size of their exclusions.
    """

    everyone: bool
    users: frozenset[str]

    def __contains__(self, user: object) -> bool:
        return (user not in self.users) if self.everyone else (user in self.users)

    def union(self, other: Reach) -> Reach:
        if self.everyone and other.everyone:
            return Reach(True, self.users & other.users)
        if self.everyone or other.everyone:
            everyone, named = (self, other) if self.everyone else (other, self)
            return Reach(True, everyone.users - named.users)
        return Reach(False, self.users | other.users)


NOBODY: Final = Reach(False, frozenset())


@dataclass(frozen=True)
class Population:
    """A denominator without copying it: `base` ∪ `extra`, minus `removed`.

    EMX is the enabled members minus the break-glass accounts found; EM ∪ PU adds the few
    privileged users. `extra` and `removed` are small; `base` is the directory's own set.
    """

    base: AbstractSet[str]
    removed: AbstractSet[str] = frozenset()
    extra: AbstractSet[str] = frozenset()

    def __contains__(self, user: object) -> bool:
        return (user in self.base or user in self.extra) and user not in self.removed

    def __iter__(self) -> Iterator[str]:
        for user in chain(self.base, (u for u in self.extra if u not in self.base)):
            if user not in self.removed:
                yield user

    def __len__(self) -> int:
        added = sum(1 for user in self.extra if user not in self.base)
        gone = sum(1 for user in self.removed if user in self.base or user in self.extra)
        return len(self.base) + added - gone


@dataclass(frozen=True)
class Directory:
    """What a policy's user conditions resolve against (UID, GUESTS, members, holders)."""

    user_ids: AbstractSet[str]
    guest_ids: AbstractSet[str]
    members: Callable[[str], Resolved]  # members(g) of G18; None when not read
    holders: Callable[[str], Resolved]  # holders(r) of G8; None when G8 is unavailable

    def named(self, side: UserCondition) -> Resolved:
        """The users a side names (its `All` aside); None when it needs something unknown."""
        found = {user for user in side.users if user in self.user_ids}
        if side.guests:
            found.update(self.guest_ids)
        for lookup, keys in ((self.members, side.groups), (self.holders, side.roles)):
            for key in keys:
                resolved = lookup(key)
                if resolved is None:
                    return None
                found.update(resolved)
        return frozenset(found)

    def scope(self, policy: EvaluatedPolicy) -> Reach | None:
        """scope(p) = inc(p) − exc(p); None when either side is unknown."""
        excluded = self.named(policy.exclude)
        if excluded is None:
            return None
        if policy.include.all_users:
            return Reach(True, excluded)
        included = self.named(policy.include)
        return None if included is None else Reach(False, included - excluded)

    def exclusions(self, policy: EvaluatedPolicy) -> Reach | None:
        """exc(p) alone (for excludedFrom)."""
        excluded = self.named(policy.exclude)
        return None if excluded is None else Reach(False, excluded)


@dataclass(frozen=True)
class Coverage:
    """`covered(x, S, test)` over one population: who is surely covered, and whether some
    relevant policy's scope is unknown (then everyone not surely covered is unknown)."""

    population: AbstractSet[str] | Population
    reach: Reach
    unknown: bool

    def status(self, user: str) -> bool | None:
        if user in self.reach:
            return True
        return None if self.unknown else False

    @property
    def count(self) -> int:
        """How many of the population are surely covered."""
        if self.reach.everyone:
            return len(self.population) - sum(1 for u in self.reach.users if u in self.population)
        return sum(1 for user in self.reach.users if user in self.population)

    @property
    def pct(self) -> int | None:
        """`pct(#covered, #population)`; None when any member's coverage is unknown."""
        total, count = len(self.population), self.count
        if self.unknown and count != total:
            return None
        return pct(count, total)


def covered(
    population: AbstractSet[str] | Population,
    policies: Sequence[EvaluatedPolicy],
    directory: Directory,
    reach: Callable[[EvaluatedPolicy], Reach | None] | None = None,
) -> Coverage:
    """Union over `policies` (already filtered by their test) of `scope(p)`, over a population."""
    side = reach or directory.scope
    union = NOBODY
    unknown = False
    for policy in policies:
        found = side(policy)
        if found is None:
            unknown = True
        else:
            union = union.union(found)
    return Coverage(population, union, unknown)


def excluded_from(
    population: AbstractSet[str] | Population,
    policies: Sequence[EvaluatedPolicy],
    directory: Directory,
) -> Coverage:
    """`excludedFrom(x, S, test)`: the same three-valued union over `exc(p)`."""
    return covered(population, policies, directory, directory.exclusions)


def exclusions_count(excluded: Coverage, enforced: Coverage, among: Iterable[str]) -> int | None:
    """`#{x ∈ among : excludedFrom(x) ∧ ¬covered(x)}`, None when any x is undecidable."""
    count = 0
    for user in among:
        is_covered = enforced.status(user)
        if is_covered is True:
            continue
        is_excluded = excluded.status(user)
        if is_excluded is False:
            continue
        if is_excluded is None or is_covered is None:
            return None
        count += 1
    return count
