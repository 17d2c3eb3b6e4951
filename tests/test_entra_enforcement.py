"""Every v1.1 Entra field pinned on the hand-built enforcement tenant
(tests/tenants/enforcement_tenant.py), each with the arithmetic that produced it.

UID = e1–e6, a1–a3 (guests). EM = {e1, e2, e3, e4, e5}. EA_DECL = {e4, an unknown ID};
EA_FOUND = {e4}; EMX = {e1, e2, e3, e5}. PA = GA e1, GA e4, Security Administrator e5 (the
admin group and the service principal are not users), so PU = {e1, e4, e5}, PUX = {e1, e5}.
members(GROUP_X) = {e3}; members(GROUP_A) = {e2, e3}; DELETED_GROUP answers 404 (no members).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import collected, entra_of
from tests.runner import Run, base_config, epack_env
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import permission_denied
from tests.tenants.enforcement_tenant import (
    DELETED_GROUP,
    EMERGENCY_ACCOUNTS,
    GROUP_A,
    GROUP_X,
    enforcement_tenant,
)


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator(enforcement_tenant()) as running:
        yield running


@pytest.fixture(scope="module")
def run(sim: Simulator) -> Run:
    return collected(base_config(sim, emergency_access_accounts=EMERGENCY_ACCOUNTS), epack_env(sim))


entra = entra_of


def test_conditional_access(run: Run) -> None:
    assert entra(run)["conditional_access"] == {
        # ENF = P1 P2 P3 P5 P6 P7 P8 P9 P10 P11 P13; RO = P4 P14; disabled = P12 P15
        "enforced_policies_count": 11,
        "report_only_policies_count": 2,
        "disabled_policies_count": 2,
        # unconditioned ∧ mfaStrict in ENF: P1 (scope UID − {e4, a2} − GROUP_X{e3}) and P3
        # (holders GA ∪ Security Administrator = {e1, e4, e5}, minus e4). P2 is MFA *or* a
        # device; P6 (platform), P7 (risk), P13 (location) are narrowed; P11 is browser-only.
        # EMX covered: e1 e2 e5 → 3/4
        "mfa_enforced_members_pct": 75,
        "mfa_enforced_privileged_pct": 100,  # PUX {e1, e5}: both by P1 and P3 → 2/2
        "mfa_enforced_guests_pct": 50,  # enabled guests a1 a2; P1 excludes a2 → 1/2
        "phishing_resistant_enforced_privileged_pct": 100,  # P3's strength 0004: e1 e5 → 2/2
        "mfa_report_only_members_pct": 100,  # + P4 (report-only, GROUP_X → e3) → 4/4
        # P5 blocks exchangeActiveSync + other for UID − {e4, e2} (the deleted group is
        # empty): e1 e3 e5 of EMX → 3/4
        "legacy_auth_block_coverage_pct": 75,
        # EM ∪ PU = e1–e5; excluded from P1 or P3 and covered by neither: e3 (GROUP_X), e4
        "mfa_exclusions_count": 2,
        "undeclared_mfa_exclusions_count": 1,  # e4 is declared break-glass; e3 is not
        "emergency_access_accounts_declared": 2,  # E4 (twice, ci) and an unknown ID
        "emergency_access_accounts_found": 1,  # e4
        "sign_in_risk_policy_enforced": True,  # P7: high sign-in risk → MFA
        # P8: riskRemediation arrives as itself only because G6 sends the Prefer header
        "user_risk_policy_enforced": True,
        "session_lifetime_max_min": 720,  # min(P9 12 h = 720, P10 1 d = 1440); P14/P15 not ENF
        "session_lifetime_source": "policy",
    }


def test_authentication_methods(run: Run) -> None:
    assert entra(run)["authentication_methods"] == {
        # enabled: Fido2, MicrosoftAuthenticator, Sms, Email ("Enabled"), softwareOath → its
        # listed spelling; ordinal sort. The external method (a GUID id) is only counted.
        "methods_enabled": ["Email", "Fido2", "MicrosoftAuthenticator", "Sms", "SoftwareOath"],
        "other_methods_enabled_count": 1,
        "sms_enabled": True,
        "voice_enabled": False,
        "email_otp_enabled": True,
        "fido2_enabled": True,
        "authenticator_enabled": True,
        "temporary_access_pass_enabled": False,
        "registration_campaign_enabled": True,
        "policy_migration_complete": False,  # migrationInProgress
    }


def test_authorization(run: Run) -> None:
    assert entra(run)["authorization"] == {
        "users_can_register_apps": False,
        "users_can_consent_to_apps": True,  # managePermissionGrantsForSelf.… (ci prefix)
        "users_can_create_tenants": False,
        "users_can_create_security_groups": True,
        "guest_invites_from": "adminsAndGuestInviters",
        "guest_access_level": "limited",  # 10dae51f-…
        "email_verified_self_join_allowed": False,
        "msol_powershell_blocked": True,
    }


def test_app_credentials(run: Run) -> None:
    # Active CRED: sp1 password (15 d, ends in 5 d), sp1 key (800 d), sp2 password (no end),
    # app1 password (360 d, ends in 60 d), app2 key (exactly 90 d, ends in 80 d). Expired:
    # app1 key, app3 password.
    assert entra(run)["app_credentials"] == {
        "expiring_7d_count": 1,  # sp1 password
        "expiring_90d_count": 3,  # sp1 password, app1 password, app2 key
        "no_expiry_count": 1,  # sp2 password
        "password_lifetime_over_180d_count": 1,  # app1 password (360 d)
        "certificate_lifetime_over_365d_count": 1,  # sp1 key (800 d)
        "applications_with_password_count": 1,  # app1 (app3's is expired, app2 has a key)
        "lifetime_days_buckets": {
            "le_30": 1,  # 15 d
            "le_90": 1,  # 90 d: the bound is inclusive
            "le_180": 0,
            "le_365": 1,  # 360 d
            "le_730": 0,
            "gt_730": 1,  # 800 d (sp2's password has no end: no lifetime)
        },
    }


def test_privileged_access_additions(run: Run) -> None:
    block = entra(run)["privileged_access"]
    assert block["super_admin_count"] == 2  # e1 e4
    assert block["privileged_users_count"] == 3  # e1 e4 e5
    assert block["privileged_cloud_only_pct"] == 67  # e1 is synced; e4 (false), e5 (absent) → 2/3
    assert block["privileged_non_user_assignments_count"] == 2  # the admin group, the app
    assert list(block)[-2:] == [
        "privileged_cloud_only_pct",
        "privileged_non_user_assignments_count",
    ]


def test_blocks_follow_v10_blocks_in_contract_order(run: Run) -> None:
    keys = list(entra(run))
    assert keys[keys.index("secure_score") + 1 :] == [
        "conditional_access",
        "authentication_methods",
        "authorization",
        "app_credentials",
        "diagnostics",
    ]
    assert entra(run)["schema_version"] == "1.1.0"


def test_v10_policy_block_keeps_its_blind_spot(run: Run) -> None:
    # §5.1.4 never expands groups and ignores platforms: P1 (EM − {e4, a2}) and P6 (all of EM,
    # Android only) "cover" every member → 5/5, where enforcement says 75.
    assert entra(run)["policy"]["mfa_required_coverage_pct"] == 100


def test_idp_posture_new_leaves(run: Run) -> None:
    idp = run.artifact("idp-posture.json")
    assert idp is not None
    assert idp["policy"] == {
        "mfa_required": True,
        "mfa_required_coverage_pct": 100,
        "legacy_auth_blocked": True,  # P5
        "session_lifetime_max_min": 720,
        "idle_timeout_max_min": 61,  # organization default 01:00:30 → 60.5 min, rounded up
        "phishing_resistant_required_for_privileged": True,  # the pct is 100
    }
    assert idp["privileged_access"] == {
        "privileged_users_count": 3,
        "super_admin_count": 2,
        "privileged_mfa_coverage_pct": 0,  # nobody is registered
        "privileged_phishing_resistant_pct": 0,
    }
    assert idp["device_access"] == {"managed_device_required": True}  # P11: MFA AND device
    assert list(idp)[-2:] == ["policy", "device_access"]


def test_group_expansion_requests(run: Run, sim: Simulator) -> None:
    calls = [r for r in sim.requests("graph") if r.path.startswith("/v1.0/groups/")]
    # CAG: GROUP_X (P1, P4), GROUP_A (P2), DELETED_GROUP (P5); each expanded once
    assert sorted(r.path.split("/")[3] for r in calls) == sorted([GROUP_X, GROUP_A, DELETED_GROUP])
    assert all(r.path.endswith("/transitiveMembers") for r in calls)
    assert all("%24select=id" in r.query or "$select=id" in r.query for r in calls)
    policies = [
        r for r in sim.requests("graph") if r.path == "/v1.0/identity/conditionalAccess/policies"
    ]
    assert policies and all(
        r.headers.get("prefer") == "include-unknown-enum-members" for r in policies
    )


def test_diagnostics_are_clean(run: Run) -> None:
    diagnostics = entra(run)["diagnostics"]
    assert diagnostics["warnings"] == []
    assert diagnostics["license"]["capabilities_unavailable"] == []
    # G1 + G2–G12 + G15–G17 + G18 (three groups, one per-item surface) at trust
    assert diagnostics["completeness"] == {
        "surfaces_expected": 16,
        "surfaces_collected": 16,
        "pct": 100,
    }


def test_no_name_of_policy_group_method_or_timeout_policy_reaches_output(run: Run) -> None:
    # every customer-authored text of the tenant is a CANARY: CA policy, user, authorization
    # policy, external method, activity-timeout policy and secret names
    assert "CANARY" not in run.stdout + run.stderr
    for join_key in (GROUP_A, GROUP_X, DELETED_GROUP, "policy-1"):
        assert join_key not in run.stdout + run.stderr


def test_break_glass_ids_never_leave_the_process(run: Run) -> None:
    for declared in EMERGENCY_ACCOUNTS:
        assert declared.strip().lower() not in run.stdout.lower()
        assert declared.strip().lower() not in run.stderr.lower()


# --- degradation: every null rule of §V.3–§V.7 ---------------------------------------------


def degraded(change: Callable[[Scenario], None]) -> tuple[Run, Simulator, dict[str, Any]]:
    scenario = enforcement_tenant()
    change(scenario)
    with Simulator(scenario) as running:
        config = base_config(running, emergency_access_accounts=EMERGENCY_ACCOUNTS)
        result = collected(config, epack_env(running))
    return result, running, entra(result)


GROUP_METRICS = (
    "mfa_enforced_members_pct",
    "mfa_enforced_guests_pct",
    "mfa_report_only_members_pct",
    "legacy_auth_block_coverage_pct",
    "mfa_exclusions_count",
    "undeclared_mfa_exclusions_count",
)


def test_without_group_membership_permission_group_metrics_are_null() -> None:
    def without(scenario: Scenario) -> None:
        scenario.graph_roles = [r for r in scenario.graph_roles if r != "GroupMember.Read.All"]

    _, sim, data = degraded(without)
    block = data["conditional_access"]
    # P1 excludes GROUP_X, P4 includes it, P5 excludes DELETED_GROUP: every one unknown, so
    # e2 and e3 (covered, if at all, only through them) are undecidable
    assert {name: block[name] for name in GROUP_METRICS} == dict.fromkeys(GROUP_METRICS)
    # ... but PUX {e1, e5} is surely covered by P3, whose roles need no group: still known
    assert block["mfa_enforced_privileged_pct"] == 100
    assert block["phishing_resistant_enforced_privileged_pct"] == 100
    assert block["enforced_policies_count"] == 11  # counts never need groups
    diagnostics = data["diagnostics"]
    assert diagnostics["license"]["capabilities_unavailable"] == ["ca_group_expansion"]
    assert diagnostics["warnings"] == [
        "group membership for Conditional Access unavailable: Microsoft Graph application "
        "permission GroupMember.Read.All is not granted or lacks admin consent; grant it and "
        "re-run [ca_group_expansion]"
    ]
    assert diagnostics["unavailable"] == [
        {
            "scope": "tenant",
            "surface": "G18",
            "reason": "permission_missing",
            "fix": "Grant the Microsoft Graph application permission GroupMember.Read.All to "
            "the app registration and grant admin consent.",
        }
    ]
    assert diagnostics["completeness"] == {
        "surfaces_expected": 16,
        "surfaces_collected": 15,
        "pct": 94,
    }
    assert diagnostics["permissions"]["graph_roles_missing"] == ["GroupMember.Read.All"]
    # the first 403 stops the walk: at most one call per worker was in flight
    assert len([r for r in sim.requests("graph") if r.path.startswith("/v1.0/groups/")]) <= 3


def test_more_than_500_groups_are_not_expanded_at_all() -> None:
    many = [f"cccccccc-1111-0000-0000-{n:012d}" for n in range(501)]

    def crowded(scenario: Scenario) -> None:
        scenario.graph_collections["/identity/conditionalAccess/policies"].append(
            {
                "id": "policy-many",
                "state": "enabledForReportingButNotEnforced",
                "conditions": {"users": {"includeGroups": many}},
                "grantControls": {"operator": "OR", "builtInControls": ["block"]},
            }
        )

    _, sim, data = degraded(crowded)
    assert not [r for r in sim.requests("graph") if r.path.startswith("/v1.0/groups")]
    block = data["conditional_access"]
    assert {name: block[name] for name in GROUP_METRICS} == dict.fromkeys(GROUP_METRICS)
    assert block["report_only_policies_count"] == 3
    diagnostics = data["diagnostics"]
    # CAG = GROUP_X, GROUP_A, DELETED_GROUP and the 501: 504 − 500 = 4 dropped
    assert diagnostics["truncation"] == {
        "conditional_access/groups": {"truncated": True, "dropped_count": 4}
    }
    assert diagnostics["license"]["capabilities_unavailable"] == ["ca_group_expansion"]
    assert diagnostics["warnings"] == [] and diagnostics["unavailable"] == []
    assert diagnostics["completeness"]["surfaces_expected"] == 15  # G18 was never called


def test_without_role_assignments_role_scopes_are_unknown() -> None:
    def denied(scenario: Scenario) -> None:
        scenario.faults.append(
            Fault(
                "graph", "/v1.0/roleManagement/directory/roleAssignments", 403, permission_denied()
            )
        )

    _, _, data = degraded(denied)
    assert "privileged_access" not in data
    block = data["conditional_access"]
    # P3 names roles: its scope is unknown, and e3 / a2 are covered only if P3 covers them
    assert block["mfa_enforced_members_pct"] is None
    assert block["mfa_enforced_guests_pct"] is None
    assert block["mfa_enforced_privileged_pct"] is None  # block privileged_access omitted
    assert block["phishing_resistant_enforced_privileged_pct"] is None
    assert block["mfa_exclusions_count"] is None  # PU is unknown
    assert block["legacy_auth_block_coverage_pct"] == 75  # P5 names no role
    assert block["emergency_access_accounts_found"] == 1


def test_without_the_user_directory_every_member_metric_is_null() -> None:
    def denied(scenario: Scenario) -> None:
        scenario.faults.append(Fault("graph", "/v1.0/users", 403, permission_denied()))

    _, _, data = degraded(denied)
    block = data["conditional_access"]
    # every field that needs a user is null; the policy counts and verdicts are not
    from_policies_alone = {
        "enforced_policies_count",
        "report_only_policies_count",
        "disabled_policies_count",
        "emergency_access_accounts_declared",
        "sign_in_risk_policy_enforced",
        "user_risk_policy_enforced",
        "session_lifetime_max_min",
        "session_lifetime_source",
    }
    assert {k for k, v in block.items() if v is None} == set(block) - from_policies_alone
    assert len(block) == 17
    assert block["emergency_access_accounts_declared"] == 2
    assert block["session_lifetime_max_min"] == 720  # policies alone decide it


def test_tenant_policies_denied_omit_their_blocks_and_leaves() -> None:
    def denied(scenario: Scenario) -> None:
        scenario.faults.append(Fault("graph", "/v1.0/policies/a", 403, permission_denied()))

    run, _, data = degraded(denied)
    # G15 and G17 share the prefix /policies/a…; G16 (authenticationMethodsPolicy) too
    for block in ("authorization", "authentication_methods"):
        assert block not in data
    assert data["diagnostics"]["license"]["capabilities_unavailable"] == [
        "authorization_policy",
        "authentication_methods_policy",
        "activity_timeout_policy",
    ]
    idp = run.artifact("idp-posture.json")
    assert idp is not None and "idle_timeout_max_min" not in idp["policy"]


def test_zero_denominators_are_null_not_zero() -> None:
    def empty(scenario: Scenario) -> None:
        scenario.graph_collections["/users"] = []
        scenario.graph_collections["/servicePrincipals"] = []
        scenario.graph_collections["/applications"] = []

    _, _, data = degraded(empty)
    block = data["conditional_access"]
    for name in (
        "mfa_enforced_members_pct",
        "mfa_enforced_privileged_pct",
        "mfa_enforced_guests_pct",
        "mfa_report_only_members_pct",
        "legacy_auth_block_coverage_pct",
    ):
        assert block[name] is None, name
    assert block["mfa_exclusions_count"] == 0  # nobody to exclude: a real zero
    assert block["emergency_access_accounts_found"] == 0
    assert data["privileged_access"]["privileged_cloud_only_pct"] is None  # #PU = 0
    # every privileged record now names no listed user: ra1–ra5 (ra6 is Directory Readers)
    assert data["privileged_access"]["privileged_non_user_assignments_count"] == 5
    assert data["app_credentials"]["lifetime_days_buckets"] == dict.fromkeys(
        ("le_30", "le_90", "le_180", "le_365", "le_730", "gt_730"), 0
    )
