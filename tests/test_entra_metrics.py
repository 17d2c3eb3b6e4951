"""Every Entra and idp-posture field pinned on the hand-built tenant (tests/tenants/entra_tenant.py).

Each expected value carries the arithmetic that produced it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import collected, entra_of
from tests.runner import Run, base_config, epack_env
from tests.simulator import Simulator
from tests.simulator.scenario import GRAPH_ROLES
from tests.tenants.entra_tenant import entra_tenant


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """One simulator and one run for the whole table: every test reads the same evidence."""
    with Simulator(entra_tenant()) as running:
        yield running


@pytest.fixture(scope="module")
def run(sim: Simulator) -> Run:
    return collected(base_config(sim), epack_env(sim))


entra = entra_of


def test_posture(run: Run) -> None:
    # EM = {u1, u2, u3, u4, u10}: enabled, userType exactly Member, with an id (u11 has none).
    assert entra(run)["posture"] == {
        "mfa_coverage": 80,  # MFA-registered: u1 u2 u3 u10 → 4/5
        "mfa_phishing_resistant": 40,  # fido2 (u1), WHfB (u10); single-factor cert (u4) not → 2/5
        "mfa_weak_method_only": 40,  # u2 mobilePhone; u3 email+SMS (securityQuestion ignored) → 2/5
        "sspr_registered": 40,  # u1 u3 → 2/5
        "sso_coverage": 67,  # EA = sp1 sp2 sp4 (sp3 disabled, sp5 filtered); saml/OIDC sp1 sp2 → 2/3
        "denominator_enabled_member_users": 5,
    }


def test_users(run: Run) -> None:
    assert entra(run)["users"] == {
        "total_count": 11,  # u1–u10 plus the object without an id
        "enabled_member_users_count": 5,
        "guest_pct": 27,  # u6 u7 u8 → 3/11 = 27.3
        "disabled_pct": 18,  # u5 u8 → 2/11 = 18.2
        "inactive_pct": 56,  # enabled: u1 u2 u3 u4 u6 u7 u9 u10 u11 = 9; inactive u2 (200 d),
        # u3 (never), u4 (0001 sentinel), u7 (200 d), u11 (none) → 5/9
        "inactive_guest_pct": 50,  # enabled guests u6 u7; u7 inactive → 1/2
    }


def test_policy(run: Run) -> None:
    # CAP = p1, p3 (state "Enabled", ci), p5, p6, p7 (MFA for a group: never expanded, covers
    # nobody); p2 is report-only and p4 disabled.
    assert (
        entra(run)["policy"]
        == {
            "mfa_required": True,  # p1: mfa + includeUsers All
            "mfa_required_coverage_pct": 80,  # p1: EM − {u2, u3} = u1 u4 u10; p5 (auth strength): u2 → 4/5
            "admin_portals_mfa_required": False,  # p1 excludes MicrosoftAdminPortals; p5 names one app only
            "all_cloud_apps_mfa_required": True,  # p1 includes All, excludes no All
            "compliant_device_required": True,  # p6: compliantDevice + includeRoles
            "legacy_auth_blocked": True,  # p3: block + clientAppTypes other (p2 is report-only)
            "policy_count": 5,
        }
    )
    assert entra(run)["security_defaults"] == {"enabled": False}


def test_privileged_access(run: Run) -> None:
    # PA (privileged role, principal is a listed user): ra1 u10 GA, ra2 u1, ra3 u6, ra6 u10, ra7 u8 → A = 5
    # (ra4 is a group, ra5 a non-privileged role). PU = {u10, u1, u6, u8}; GAU = {u10}.
    assert entra(run)["privileged_access"] == {
        "super_admin_count": 1,
        "privileged_users_count": 4,
        "privileged_mfa_coverage_pct": 75,  # u10 u1 u6 registered, u8 has no row → 3/4
        "privileged_phishing_resistant_pct": 50,  # u10 WHfB, u1 fido2 → 2/4
        "pim_eligible_pct": 38,  # E = es1 (GA) es2 (id fallback) es4 (group) = 3 → 3/(3+5) = 37.5
        "standing_assignment_count": 5,
        "inactive_privileged_users_count": 1,  # u8 never signed in
        "privileged_guest_count": 2,  # u6 u8
        "privileged_cloud_only_pct": 100,  # nobody is synced from on-premises → 4/4
        "privileged_non_user_assignments_count": 1,  # ra4: a group holding GA
    }


def test_conditional_access_enforcement(run: Run) -> None:
    # ENF = p1, p3 ("Enabled"), p5, p6, p7; RO = p2; disabled = p4. Unconditioned and
    # mfaStrict: p1 only (p5's strength "s1" is not a built-in MFA strength, p6 and p3 name no
    # apps, p7 is browser-only). scope(p1) = UID − {u2, u3}. p7's group is gone (404): empty.
    assert entra(run)["conditional_access"] == {
        "enforced_policies_count": 5,
        "report_only_policies_count": 1,
        "disabled_policies_count": 1,
        "mfa_enforced_members_pct": 60,  # EM {u1 u2 u3 u4 u10}: u1 u4 u10 → 3/5 (v1.0 says 80)
        "mfa_enforced_privileged_pct": 100,  # PU {u10 u1 u6 u8} ⊂ scope(p1) → 4/4
        "mfa_enforced_guests_pct": 100,  # enabled guests u6 u7 → 2/2
        "phishing_resistant_enforced_privileged_pct": 0,  # no phishing-resistant strength
        "mfa_report_only_members_pct": 60,  # p2 (report-only) blocks, it does not ask for MFA
        "legacy_auth_block_coverage_pct": 0,  # p3 blocks legacy clients but names no apps
        "mfa_exclusions_count": 2,  # u2 u3: excluded from p1, covered by nothing else
        "undeclared_mfa_exclusions_count": 2,  # no break-glass declared
        "emergency_access_accounts_declared": 0,
        "emergency_access_accounts_found": 0,
        "sign_in_risk_policy_enforced": False,
        "user_risk_policy_enforced": False,
        "session_lifetime_max_min": 129600,  # no sign-in frequency: Entra's 90-day default
        "session_lifetime_source": "default",
    }


def test_app_credentials(run: Run) -> None:
    # active: sp1 key (410 d), sp2 password (15 d, ends in 10 d), sp3 key (no end), app1
    # password (500 d, ends in 100 d), app2 password (unparsable end = no end)
    assert entra(run)["app_credentials"] == {
        "expiring_7d_count": 0,
        "expiring_90d_count": 1,  # sp2 password
        "no_expiry_count": 2,  # sp3 key, app2 password
        "password_lifetime_over_180d_count": 1,  # app1 password
        "certificate_lifetime_over_365d_count": 1,  # sp1 key
        "applications_with_password_count": 2,  # app1, app2
        "lifetime_days_buckets": {
            "le_30": 1,  # sp2 password
            "le_90": 0,
            "le_180": 0,
            "le_365": 0,
            "le_730": 2,  # sp1 key (410 d), app1 password (500 d)
            "gt_730": 0,
        },
    }


def test_apps(run: Run) -> None:
    # CRED: sp1 pwd expired, sp1 key (410 d), sp2 pwd (ends in 10 d), sp3 key (no end),
    # app1 pwd (500 d), app1 key expired, app2 pwd (unparsable end = no end).
    assert entra(run)["apps"] == {
        "enabled_enterprise_apps_count": 3,
        "assignment_required_pct": 67,  # sp1 sp4 → 2/3
        "credentials_expiring_count": 1,  # sp2 pwd
        "credentials_expired_count": 2,  # sp1 pwd, app1 key
        "credentials_over_365d_count": 2,  # sp1 key, app1 pwd
        "password_credentials_pct": 60,  # active 5; passwords sp2 app1 app2 → 3/5
    }


def test_secure_score_licence_and_diagnostics(run: Run) -> None:
    data = entra(run)
    assert data["secure_score"] == {"identity_pct": 62}  # 123.4/200 = 61.7 → 62
    assert data["diagnostics"] == {
        "tenant_errors": [],
        "subscription_errors": [],
        "warnings": [],
        "truncation": {},
        "license": {"entra_tier": "p1", "capabilities_unavailable": []},  # P2 pending / suspended
        # G1 + G2–G12 at trust, G8 and G9 included (users and roles readable), G15–G17, and
        # G18 for p7's group (a 404: a deleted group has no members, not a failure): 16 of 16
        "completeness": {"surfaces_expected": 16, "surfaces_collected": 16, "pct": 100},
        "unavailable": [],
        "permissions": {
            "graph_roles_granted": sorted(GRAPH_ROLES),  # the token's roles claim
            "graph_roles_missing": [],  # GroupMember.Read.All (optional) granted too
            "graph_roles_not_read_only": [],
            "azure_roles": {},  # Entra ID only
            "read_only": True,
        },
    }


def test_idp_posture(run: Run) -> None:
    idp = run.artifact("idp-posture.json")
    assert idp is not None
    assert {k: v for k, v in idp.items() if k != "collected_at"} == {
        "schema_version": "1.0.0",
        "provider": "entra",
        "org_domain": "contoso.example",
        "user_security": {
            "mfa_coverage_pct": 80,
            "mfa_phishing_resistant_pct": 40,
            "inactive_pct": 56,
        },
        "app_security": {"sso_coverage_pct": 67},
        "privileged_access": {
            "privileged_users_count": 4,
            "super_admin_count": 1,
            "privileged_mfa_coverage_pct": 75,
            "privileged_phishing_resistant_pct": 50,
        },
        "lifecycle": {"suspended_pct": 18},
        "policy": {
            "mfa_required": True,
            "mfa_required_coverage_pct": 80,
            "legacy_auth_blocked": True,
            "session_lifetime_max_min": 129600,
            "idle_timeout_max_min": 61,
            "phishing_resistant_required_for_privileged": False,  # 0 %, not 100 %
        },
        "device_access": {"managed_device_required": False},  # p6 names no apps
    }


def test_requests_select_only_what_metrics_need(run: Run, sim: Simulator) -> None:
    listings = (
        "/v1.0/users",
        "/v1.0/servicePrincipals",
        "/v1.0/applications",
        "/v1.0/roleManagement/directory/roleAssignments",
    )
    for request in sim.requests("graph"):
        if request.path in listings:
            assert "select" in request.query, request.path
    users = [r for r in sim.requests("graph") if r.path == "/v1.0/users"]
    # the $count that finds the tenant too small to partition, then one listing (3 pages of
    # 4) that serves both G3 and G5
    assert next(r.query for r in users) == "%24count=true&%24select=id&%24top=1"
    assert len(users) == 1 + 3
    assert all(r.method == "GET" for r in sim.requests("graph"))
