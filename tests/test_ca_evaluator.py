"""The Conditional Access evaluator (collector.services.entra.enforcement), clause by clause of
v1.1 §V.4. Each case holds the policy JSON and the scope or verdict worked out by hand.

The directory of every case: UID = {u1, u2, u3, u4, g1}, GUESTS = {g1};
members(grp) = {u2, u3}, members(gone) unknown (its G18 call failed);
holders(role) = {u4}.
"""

from __future__ import annotations

from typing import Any

import pytest

from collector.services.entra.conditional_access import ConditionalAccess
from collector.services.entra.enforcement import (
    Directory,
    Population,
    Reach,
    covered,
    evaluate_policy,
    excluded_from,
    exclusions_count,
)

U1, U2, U3, U4, G1 = "u1", "u2", "u3", "u4", "g1"
UID = frozenset({U1, U2, U3, U4, G1})
MEMBERS: dict[str, frozenset[str]] = {"grp": frozenset({U2, U3})}
HOLDERS: dict[str, frozenset[str]] = {"role": frozenset({U4})}
DIRECTORY = Directory(UID, {G1}, MEMBERS.get, HOLDERS.get)
NO_ROLES = Directory(UID, {G1}, MEMBERS.get, lambda role: None)  # G8 unavailable
MFA = {"operator": "OR", "builtInControls": ["mfa"]}
ALL_APPS = {"includeApplications": ["All"]}


def policy(
    users: dict[str, Any],
    grant: dict[str, Any] | None = None,
    state: str = "enabled",
    **conditions: Any,
) -> dict[str, Any]:
    return {
        "state": state,
        "conditions": {"users": users, "applications": ALL_APPS, **conditions},
        "grantControls": MFA if grant is None else grant,
    }


def scope_of(document: dict[str, Any], directory: Directory = DIRECTORY) -> frozenset[str] | None:
    """scope(p) written out over UID (the evaluator keeps "everyone but" as its exclusions)."""
    reach = directory.scope(evaluate_policy(document))
    return None if reach is None else frozenset(user for user in UID if user in reach)


# --- scope(p) = inc(p) − exc(p) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        ({"includeUsers": ["All"]}, UID),  # All → UID
        ({"includeUsers": ["all"], "excludeUsers": [U1.upper()]}, UID - {U1}),  # ci IDs
        ({"includeUsers": [U1, "someone-deleted"]}, {U1}),  # ∩ UID
        ({"includeGroups": ["grp"]}, {U2, U3}),  # members of a (transitively expanded) group
        ({"includeRoles": ["ROLE"]}, {U4}),  # holders of a role, ci
        ({"includeUsers": ["GuestsOrExternalUsers"]}, {G1}),
        (
            {"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}},
            {G1},
        ),
        ({"includeGuestsOrExternalUsers": None}, frozenset()),  # null is not "non-null"
        ({"includeUsers": [U1, U2], "includeGroups": ["grp"], "excludeGroups": ["grp"]}, {U1}),
        ({"includeUsers": ["All"], "excludeRoles": ["role"]}, UID - {U4}),
        ({"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers"]}, UID - {G1}),
        ({"includeUsers": ["All"], "excludeGuestsOrExternalUsers": {}}, UID - {G1}),
        ({"includeUsers": ["None"]}, frozenset()),  # Microsoft's "None" is nobody
        ({}, frozenset()),  # missing lists are empty
    ],
)
def test_scope(users: dict[str, Any], expected: frozenset[str]) -> None:
    assert scope_of(policy(users)) == expected


@pytest.mark.parametrize(
    ("users", "directory", "known"),
    [
        ({"includeGroups": ["gone"]}, DIRECTORY, False),  # its G18 call failed
        ({"includeUsers": ["All"], "excludeGroups": ["gone"]}, DIRECTORY, False),
        ({"includeRoles": ["role"]}, NO_ROLES, False),  # roles while G8 is unavailable
        ({"includeUsers": ["All"], "excludeRoles": ["role"]}, NO_ROLES, False),
        ({"includeUsers": ["All"], "includeGroups": ["gone"]}, DIRECTORY, True),  # All needs none
        ({"includeUsers": [U1]}, NO_ROLES, True),  # no role named: G8 not needed
    ],
)
def test_scope_is_unknown_only_when_it_needs_what_could_not_be_read(
    users: dict[str, Any], directory: Directory, known: bool
) -> None:
    assert (scope_of(policy(users), directory) is not None) is known


# --- narrowed(p) and unconditioned(p) -------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "narrowed"),
    [
        ({}, False),
        ({"platforms": {"includePlatforms": ["all"]}}, False),
        ({"platforms": {"includePlatforms": ["android", "iOS"]}}, True),
        ({"platforms": {"includePlatforms": ["All"], "excludePlatforms": ["linux"]}}, True),
        ({"locations": {"includeLocations": ["All"]}}, False),
        ({"locations": {"includeLocations": ["AllTrusted"]}}, True),
        ({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}, True),
        ({"signInRiskLevels": ["low"]}, True),
        ({"userRiskLevels": ["high"]}, True),
        ({"servicePrincipalRiskLevels": ["medium"]}, True),
        ({"signInRiskLevels": [], "userRiskLevels": []}, False),
        ({"insiderRiskLevels": "minor"}, True),
        ({"devices": {"deviceFilter": {"mode": "exclude", "rule": "x"}}}, True),
        ({"devices": {"deviceFilter": None}}, False),
        ({"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}, True),
    ],
)
def test_narrowed(conditions: dict[str, Any], narrowed: bool) -> None:
    evaluated = evaluate_policy(policy({"includeUsers": ["All"]}, **conditions))
    assert evaluated.narrowed is narrowed
    assert evaluated.unconditioned is not narrowed  # all apps, no user actions, all clients


@pytest.mark.parametrize(
    ("applications", "client_types", "unconditioned"),
    [
        (ALL_APPS, None, True),
        (ALL_APPS, ["all"], True),
        (ALL_APPS, ["browser", "mobileAppsAndDesktopClients"], False),  # modern clients only
        ({"includeApplications": ["All"], "excludeApplications": ["All"]}, None, False),
        ({"includeApplications": ["All"], "excludeApplications": ["app-1"]}, None, True),
        ({"includeApplications": ["Office365"]}, None, False),
        (
            {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
            None,
            False,
        ),
        (
            {"includeApplications": ["All"], "includeUserActions": ["urn:user:registerdevice"]},
            None,
            False,
        ),
    ],
)
def test_unconditioned(
    applications: dict[str, Any], client_types: list[str] | None, unconditioned: bool
) -> None:
    document = policy({"includeUsers": ["All"]})
    document["conditions"]["applications"] = applications
    if client_types is not None:
        document["conditions"]["clientAppTypes"] = client_types
    assert evaluate_policy(document).unconditioned is unconditioned


# --- grants: mfaStrict, prStrict, blocksLegacy ----------------------------------------------

PR = "00000000-0000-0000-0000-000000000004"


@pytest.mark.parametrize(
    ("grant", "mfa_strict", "pr_strict"),
    [
        ({"operator": "OR", "builtInControls": ["mfa"]}, True, False),
        ({"operator": "OR", "builtInControls": ["MFA"]}, True, False),  # ci
        ({"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}, False, False),
        ({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]}, True, False),
        ({"operator": "and", "builtInControls": ["mfa", "block"]}, False, False),  # block
        ({"operator": "OR", "builtInControls": ["compliantDevice"]}, False, False),
        # strengths: requirementsSatisfied decides; when absent, the built-in ids 0002–0004
        (
            {
                "builtInControls": [],
                "authenticationStrength": {"id": "custom", "requirementsSatisfied": "mfa"},
            },
            True,
            False,
        ),
        (
            {
                "builtInControls": [],
                "authenticationStrength": {"id": "custom", "requirementsSatisfied": "none"},
            },
            False,
            False,
        ),
        (
            {
                "builtInControls": [],
                "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002"},
            },
            True,
            False,
        ),
        ({"builtInControls": [], "authenticationStrength": {"id": "custom"}}, False, False),
        ({"builtInControls": [], "authenticationStrength": {"id": PR}}, True, True),
        (
            {
                "operator": "OR",
                "builtInControls": [],
                "authenticationStrength": {
                    "id": "custom",
                    "requirementsSatisfied": "mfa",
                    "allowedCombinations": [
                        "fido2",
                        "windowsHelloForBusiness",
                        "x509CertificateMultiFactor",
                    ],
                },
            },
            True,
            True,  # every combination phishing-resistant (passkeys are fido2)
        ),
        (
            {
                "builtInControls": [],
                "authenticationStrength": {
                    "id": "custom",
                    "requirementsSatisfied": "mfa",
                    "allowedCombinations": ["fido2", "password,sms"],
                },
            },
            True,
            False,  # SMS still satisfies it
        ),
        (
            {
                "builtInControls": [],
                "authenticationStrength": {"id": "c", "allowedCombinations": []},
            },
            False,
            False,
        ),
        # an OR of the strength with MFA: MFA alone satisfies it, so not phishing-resistant
        (
            {"operator": "OR", "builtInControls": ["mfa"], "authenticationStrength": {"id": PR}},
            True,
            False,
        ),
        (
            {
                "operator": "AND",
                "builtInControls": ["compliantDevice"],
                "authenticationStrength": {"id": PR},
            },
            True,
            True,
        ),
        (
            {"operator": "OR", "builtInControls": ["block"], "authenticationStrength": {"id": PR}},
            False,
            False,
        ),
        (None, False, False),
    ],
)
def test_mfa_and_phishing_resistant_strictness(
    grant: dict[str, Any] | None, mfa_strict: bool, pr_strict: bool
) -> None:
    document = policy({"includeUsers": ["All"]})
    document["grantControls"] = grant
    evaluated = evaluate_policy(document)
    assert (evaluated.mfa_strict, evaluated.pr_strict) == (mfa_strict, pr_strict)


@pytest.mark.parametrize(
    ("client_types", "applications", "blocks_legacy"),
    [
        (["all"], ALL_APPS, True),
        (["exchangeActiveSync", "other"], ALL_APPS, True),
        (["other"], ALL_APPS, False),  # Exchange ActiveSync still open
        (["exchangeActiveSync", "other"], {"includeApplications": ["Office365"]}, False),
    ],
)
def test_blocks_legacy(
    client_types: list[str], applications: dict[str, Any], blocks_legacy: bool
) -> None:
    document = policy(
        {"includeUsers": ["All"]}, {"builtInControls": ["block"]}, clientAppTypes=client_types
    )
    document["conditions"]["applications"] = applications
    assert evaluate_policy(document).blocks_legacy is blocks_legacy


# --- covered, excludedFrom, and the unknown state -------------------------------------------


def test_covered_unions_scopes_and_only_unknown_scopes_make_a_member_unknown() -> None:
    known = evaluate_policy(policy({"includeUsers": [U1]}))
    unknown = evaluate_policy(policy({"includeGroups": ["gone"]}))
    coverage = covered({U1, U2}, [known, unknown], DIRECTORY)
    assert (coverage.status(U1), coverage.status(U2)) == (True, None)
    assert coverage.pct is None  # u2 could be covered by the unreadable group
    assert covered({U1}, [known, unknown], DIRECTORY).pct == 100  # u1 is surely covered
    assert covered({U1, U2}, [known], DIRECTORY).pct == 50
    assert covered(set(), [known], DIRECTORY).pct is None  # zero denominator


def test_report_only_policies_count_only_where_asked() -> None:
    report_only = policy({"includeUsers": [U2]}, state="enabledForReportingButNotEnforced")
    evaluated = [evaluate_policy(policy({"includeUsers": [U1]})), evaluate_policy(report_only)]
    policies = ConditionalAccess((), tuple(evaluated))
    assert policies.report_only_count == 1
    assert covered({U1, U2}, policies.enforced, DIRECTORY).pct == 50
    assert covered({U1, U2}, policies.evaluated, DIRECTORY).pct == 100


def test_conditional_access_groups_are_named_in_first_seen_order() -> None:
    documents = [
        policy({"includeGroups": ["B", "a"], "excludeGroups": ["c"]}),
        policy({"includeUsers": ["All"], "excludeGroups": ["A"]}, state="ENABLED"),
        policy({"includeGroups": ["d"]}, state="enabledForReportingButNotEnforced"),
    ]
    evaluated = tuple(evaluate_policy(d) for d in documents)
    assert ConditionalAccess((), evaluated).groups == ("b", "a", "c", "d")
    assert [p.enforced for p in evaluated] == [True, True, False]  # state is ci


def test_union_of_reaches_keeps_everyone_as_its_exclusions() -> None:
    everyone_but_u1_u2 = Reach(True, frozenset({U1, U2}))
    everyone_but_u2_u3 = Reach(True, frozenset({U2, U3}))
    assert everyone_but_u1_u2.union(everyone_but_u2_u3) == Reach(True, frozenset({U2}))
    assert everyone_but_u1_u2.union(Reach(False, frozenset({U1}))) == Reach(True, frozenset({U2}))
    assert Reach(False, frozenset({U1})).union(Reach(False, frozenset({U2}))) == Reach(
        False, frozenset({U1, U2})
    )
    members = Population(frozenset({U1, U2, U3}), removed=frozenset({U3, "other"}), extra={U4})
    assert sorted(members) == [U1, U2, U4] and len(members) == 3
    assert U3 not in members and U4 in members
    assert (
        covered(
            members,
            [evaluate_policy(policy({"includeUsers": ["All"], "excludeUsers": [U1]}))],
            DIRECTORY,
        ).count
        == 2
    )


def test_exclusions_are_excluded_and_not_covered_three_valued() -> None:
    everyone_but = evaluate_policy(policy({"includeUsers": ["All"], "excludeUsers": [U1, U2]}))
    also_u2 = evaluate_policy(policy({"includeUsers": [U2]}))
    among = {U1, U2, U3}
    enforced = covered(among, [everyone_but, also_u2], DIRECTORY)
    excluded = excluded_from(among, [everyone_but, also_u2], DIRECTORY)
    assert exclusions_count(excluded, enforced, among) == 1  # u1; u2 is covered by the other
    unknown_exclusion = evaluate_policy(
        policy({"includeUsers": ["All"], "excludeGroups": ["gone"]})
    )
    enforced = covered(among, [unknown_exclusion], DIRECTORY)
    excluded = excluded_from(among, [unknown_exclusion], DIRECTORY)
    assert exclusions_count(excluded, enforced, among) is None  # anyone may be excluded


# --- risk, session lifetime, managed devices ------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "grant", "sign_in", "user"),
    [
        ({"signInRiskLevels": ["High"]}, MFA, True, False),
        ({"signInRiskLevels": ["medium"]}, {"builtInControls": ["block"]}, True, False),
        ({"signInRiskLevels": ["low"]}, MFA, False, False),
        (
            {"signInRiskLevels": ["high"]},
            {"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]},
            False,
            False,
        ),
        (
            {"userRiskLevels": ["high"]},
            {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]},
            False,
            True,
        ),
        ({"userRiskLevels": ["high"]}, {"builtInControls": ["riskRemediation"]}, False, True),
        ({"userRiskLevels": ["high"]}, {"builtInControls": ["unknownFutureValue"]}, False, False),
        ({"userRiskLevels": ["medium"]}, {"builtInControls": ["block"]}, False, False),
    ],
)
def test_risk_policies(
    conditions: dict[str, Any], grant: dict[str, Any], sign_in: bool, user: bool
) -> None:
    evaluated = evaluate_policy(policy({"includeUsers": ["All"]}, grant, **conditions))
    assert (evaluated.sign_in_risk_enforced, evaluated.user_risk_enforced) == (sign_in, user)


def _frequency(**fields: Any) -> dict[str, Any]:
    base = {"isEnabled": True, "value": 4, "type": "hours", "frequencyInterval": "timeBased"}
    return {"signInFrequency": {**base, **fields}}


@pytest.mark.parametrize(
    ("session", "users", "minutes"),
    [
        (_frequency(), {"includeUsers": ["All"]}, 240),
        (_frequency(value=2, type="Days"), {"includeUsers": ["All"]}, 2880),
        (_frequency(frequencyInterval=None), {"includeUsers": ["All"]}, 240),
        (_frequency(frequencyInterval="everyTime"), {"includeUsers": ["All"]}, None),
        (_frequency(authenticationType="secondaryAuthentication"), {"includeUsers": ["All"]}, None),
        (
            _frequency(authenticationType="primaryAndSecondaryAuthentication"),
            {"includeUsers": ["All"]},
            240,
        ),
        (_frequency(isEnabled=False), {"includeUsers": ["All"]}, None),
        (_frequency(value="4"), {"includeUsers": ["All"]}, None),  # not a number
        (_frequency(type="minutes"), {"includeUsers": ["All"]}, None),
        (_frequency(), {"includeUsers": ["All"], "excludeUsers": [U1]}, 240),  # exclusions ignored
        (_frequency(), {"includeUsers": [U1]}, None),  # not everyone
    ],
)
def test_session_lifetime(
    session: dict[str, Any], users: dict[str, Any], minutes: int | None
) -> None:
    document = policy(users)
    document["sessionControls"] = session
    assert evaluate_policy(document).session_lifetime_min == minutes


@pytest.mark.parametrize(
    ("grant", "required"),
    [
        ({"operator": "OR", "builtInControls": ["compliantDevice"]}, True),
        ({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]}, True),
        ({"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]}, False),  # MFA suffices
        ({"operator": "AND", "builtInControls": ["compliantDevice", "mfa"]}, True),
        (
            {
                "operator": "OR",
                "builtInControls": ["domainJoinedDevice"],
                "authenticationStrength": {"id": PR},
            },
            False,
        ),
        ({"operator": "AND", "builtInControls": ["mfa"]}, False),
    ],
)
def test_managed_device_required(grant: dict[str, Any], required: bool) -> None:
    assert (
        evaluate_policy(policy({"includeUsers": ["All"]}, grant)).managed_device_required
        is required
    )
    assert not evaluate_policy(policy({"includeUsers": [U1]}, grant)).managed_device_required
