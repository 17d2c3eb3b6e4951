"""Licence gaps, missing permissions and empty tenants: metrics go null, the run still exits 0."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import validate_envelope
from tests.runner import Run, base_config, epack_env, run_in_process
from tests.simulator import Fault, Simulator
from tests.simulator.scenario import graph_error, licence_required, permission_denied
from tests.tenants.entra_tenant import install_entra


def load_tenant(sim: Simulator) -> None:
    install_entra(sim.scenario)


def collect(sim: Simulator) -> tuple[Run, dict[str, Any]]:
    run = run_in_process(base_config(sim), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    data = run.artifact("entra.json")
    assert data is not None
    return run, data


def test_free_tier_tenant(sim: Simulator) -> None:
    scenario = sim.scenario
    load_tenant(sim)
    scenario.graph_collections["/subscribedSkus"] = []
    scenario.faults += [
        Fault("graph", "/v1.0/reports/authenticationMethods", 403, licence_required()),
        Fault("graph", "/v1.0/identity/conditionalAccess", 403, licence_required()),
        Fault(
            "graph",
            "/v1.0/roleManagement/directory/roleEligibilitySchedules",
            400,
            graph_error("AadPremiumLicenseRequired", "Request requires a premium license."),
        ),
    ]
    # signInActivity needs P1: the sign-in listing fails, the plain listing still works.
    scenario.graph_collections["/users"] = [
        {k: v for k, v in u.items() if k != "signInActivity"}
        for u in scenario.graph_collections["/users"]
    ]
    scenario.faults.append(
        Fault("graph", "/v1.0/users", 403, licence_required(), query_contains="signInActivity")
    )
    run, data = collect(sim)
    assert data["posture"]["mfa_coverage"] is None
    assert data["posture"]["denominator_enabled_member_users"] == 5
    assert data["users"]["total_count"] == 11
    assert data["users"]["inactive_pct"] is None
    # Case B: no Conditional Access; security defaults off → coverage 0, everything else null.
    assert data["policy"] == {
        "mfa_required": None,
        "mfa_required_coverage_pct": 0,
        "admin_portals_mfa_required": None,
        "all_cloud_apps_mfa_required": None,
        "compliant_device_required": None,
        "legacy_auth_blocked": None,
        "policy_count": None,
    }
    assert data["privileged_access"] == {
        "super_admin_count": 1,
        "privileged_users_count": 4,
        "privileged_mfa_coverage_pct": None,
        "privileged_phishing_resistant_pct": None,
        "pim_eligible_pct": None,
        "standing_assignment_count": None,
        "inactive_privileged_users_count": None,
        "privileged_guest_count": 2,
        "privileged_cloud_only_pct": 100,  # no user is synced from on-premises → 4/4
        "privileged_non_user_assignments_count": 1,  # ra4: a group holding GA
    }
    diagnostics = data["diagnostics"]
    assert diagnostics["license"] == {
        "entra_tier": "free",
        "capabilities_unavailable": [
            "mfa_registration_report",
            "sign_in_activity",
            "conditional_access",
            "pim",
        ],
    }
    assert diagnostics["warnings"] == [
        "MFA registration report unavailable: the tenant is not licensed for it (Microsoft Entra ID P1 or P2 "
        "required); dependent metrics are null [mfa_registration_report]",
        "User sign-in activity unavailable: the tenant is not licensed for it (Microsoft Entra ID P1 or P2 "
        "required); dependent metrics are null [sign_in_activity]",
        "Conditional Access policies unavailable: the tenant is not licensed for it (Microsoft Entra ID P1 or "
        "P2 required); dependent metrics are null [conditional_access]",
        "PIM eligibility schedules unavailable: the tenant is not licensed for it (Microsoft Entra ID P2 or "
        "Microsoft Entra ID Governance required); dependent metrics are null [pim]",
    ]
    assert diagnostics["tenant_errors"] == []
    idp = run.artifact("idp-posture.json")
    # G17 needs no licence: the idle timeout is still known (01:00:30 → 61 min); no G6, so
    # no session lifetime, no phishing-resistance leaf and no device_access block
    assert idp is not None and idp["policy"] == {
        "mfa_required_coverage_pct": 0,
        "idle_timeout_max_min": 61,
    }
    assert "device_access" not in idp
    assert "conditional_access" not in data  # G6 unavailable: block omitted (§V.4)
    assert data["authorization"]["guest_access_level"] == "limited"  # G15 needs no licence
    assert "mfa_coverage_pct" not in idp["user_security"]


def test_licence_error_is_retried_once_and_can_recover(sim: Simulator) -> None:
    load_tenant(sim)
    sim.scenario.faults.append(
        Fault("graph", "/v1.0/identity/conditionalAccess", 403, licence_required(), times=1)
    )
    _, data = collect(sim)
    assert data["policy"]["policy_count"] == 5
    assert data["diagnostics"]["warnings"] == []


SURFACE_PERMISSIONS = [
    (
        "/v1.0/subscribedSkus",
        "Licence detection unavailable: Microsoft Graph application permission "
        "Organization.Read.All is not granted or lacks admin consent; grant it and re-run",
        None,
    ),
    (
        "/v1.0/reports/authenticationMethods",
        "MFA registration report unavailable: Microsoft Graph application "
        "permission AuditLog.Read.All is not granted or lacks admin consent; grant it and re-run "
        "[mfa_registration_report]",
        "mfa_registration_report",
    ),
    (
        "/v1.0/identity/conditionalAccess",
        "Conditional Access policies unavailable: Microsoft Graph application "
        "permission Policy.Read.All is not granted or lacks admin consent; grant it and re-run [conditional_access]",
        "conditional_access",
    ),
    (
        "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
        "Security defaults policy unavailable: "
        "Microsoft Graph application permission Policy.Read.All is not granted or lacks admin consent; grant it "
        "and re-run [security_defaults]",
        "security_defaults",
    ),
    (
        "/v1.0/roleManagement/directory/roleAssignments",
        "Directory role assignments unavailable: Microsoft Graph "
        "application permission RoleManagement.Read.Directory is not granted or lacks admin consent; grant it and "
        "re-run [privileged_access]",
        "privileged_access",
    ),
    (
        "/v1.0/roleManagement/directory/roleEligibilitySchedules",
        "PIM eligibility schedules unavailable: "
        "Microsoft Graph application permission RoleEligibilitySchedule.Read.Directory is not granted or lacks "
        "admin consent; grant it and re-run [pim]",
        "pim",
    ),
    (
        "/v1.0/servicePrincipals",
        "Enterprise applications unavailable: Microsoft Graph application permission "
        "Application.Read.All is not granted or lacks admin consent; grant it and re-run [enterprise_apps]",
        "enterprise_apps",
    ),
    (
        "/v1.0/applications",
        "Application credentials unavailable: Microsoft Graph application permission "
        "Application.Read.All is not granted or lacks admin consent; grant it and re-run [application_credentials]",
        "application_credentials",
    ),
    (
        "/v1.0/security/secureScores",
        "Microsoft Secure Score unavailable: Microsoft Graph application permission "
        "SecurityEvents.Read.All is not granted or lacks admin consent; grant it and re-run [identity_secure_score]",
        "identity_secure_score",
    ),
]


@pytest.mark.parametrize(("prefix", "warning", "capability"), SURFACE_PERMISSIONS)
def test_each_missing_permission(
    sim: Simulator, prefix: str, warning: str, capability: str | None
) -> None:
    load_tenant(sim)
    sim.scenario.faults.append(Fault("graph", prefix, 403, permission_denied()))
    _, data = collect(sim)
    assert data["diagnostics"]["warnings"] == [warning]
    assert data["diagnostics"]["license"]["capabilities_unavailable"] == (
        [capability] if capability else []
    )
    assert data["diagnostics"]["tenant_errors"] == []
    assert data["diagnostics"]["license"]["entra_tier"] == (
        "unknown" if capability is None else "p1"
    )


def test_users_permission_missing_nulls_user_metrics_and_skips_roles(sim: Simulator) -> None:
    load_tenant(sim)
    sim.scenario.faults.append(Fault("graph", "/v1.0/users", 403, permission_denied()))
    run, data = collect(sim)
    assert data["users"] == dict.fromkeys(data["users"])  # every field null
    assert data["posture"]["denominator_enabled_member_users"] is None
    assert "privileged_access" not in data
    assert (
        data["policy"]["mfa_required_coverage_pct"] is None and data["policy"]["policy_count"] == 5
    )
    assert data["diagnostics"]["license"]["capabilities_unavailable"] == [
        "users",
        "sign_in_activity",
        "privileged_access",
    ]
    assert not [r for r in sim.requests("graph") if "roleManagement" in r.path]  # G8/G9 not called
    assert run.artifact("idp-posture.json") is not None


def test_zero_users_and_zero_apps_give_null_percentages(sim: Simulator) -> None:
    sim.scenario.graph_collections.update(
        {
            "/users": [],
            "/servicePrincipals": [],
            "/applications": [],
            "/identity/conditionalAccess/policies": [],
            "/roleManagement/directory/roleAssignments": [],
            "/roleManagement/directory/roleEligibilitySchedules": [],
        }
    )
    run, data = collect(sim)
    assert data["users"] == {
        "total_count": 0,
        "enabled_member_users_count": 0,
        "guest_pct": None,
        "disabled_pct": None,
        "inactive_pct": None,
        "inactive_guest_pct": None,
    }
    assert data["posture"]["denominator_enabled_member_users"] == 0
    assert data["posture"]["sso_coverage"] is None
    assert data["apps"] == {
        "enabled_enterprise_apps_count": 0,
        "assignment_required_pct": None,
        "credentials_expiring_count": 0,
        "credentials_expired_count": 0,
        "credentials_over_365d_count": 0,
        "password_credentials_pct": None,
    }
    # Empty CA list: nothing enabled, counts are real zeros / falses.
    assert data["policy"] == {
        "mfa_required": False,
        "mfa_required_coverage_pct": None,
        "admin_portals_mfa_required": False,
        "all_cloud_apps_mfa_required": False,
        "compliant_device_required": False,
        "legacy_auth_blocked": False,
        "policy_count": 0,
    }
    assert data["privileged_access"] == {
        "super_admin_count": 0,
        "privileged_users_count": 0,
        "privileged_mfa_coverage_pct": None,
        "privileged_phishing_resistant_pct": None,
        "pim_eligible_pct": None,
        "standing_assignment_count": 0,
        "inactive_privileged_users_count": None,
        "privileged_guest_count": 0,
        "privileged_cloud_only_pct": None,  # #PU = 0
        "privileged_non_user_assignments_count": 0,
    }
    idp = run.artifact("idp-posture.json")
    assert idp is not None and "lifecycle" not in idp


def test_secure_score_empty_and_server_error(sim: Simulator) -> None:
    load_tenant(sim)
    sim.scenario.graph_collections["/security/secureScores"] = [{"currentScore": 5, "maxScore": 0}]
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/applications",
            500,
            graph_error("InternalServerError", "x"),
            headers={"Retry-After": "0"},
        )
    )
    _, data = collect(sim)
    assert data["secure_score"] == {"identity_pct": None}
    assert (
        "Microsoft Secure Score unavailable: no score snapshot with a positive maximum was returned; "
        "identity_pct is null [identity_secure_score]" in data["diagnostics"]["warnings"]
    )
    assert data["diagnostics"]["tenant_errors"] == [
        "application_credentials: graph request /applications?$select&$top failed: status=500 "
        "code=InternalServerError"
    ]
    assert data["apps"]["credentials_expired_count"] is None
    assert data["apps"]["enabled_enterprise_apps_count"] is not None


def test_secure_score_without_current_score_is_null_but_not_a_gap(sim: Simulator) -> None:
    load_tenant(sim)
    sim.scenario.graph_collections["/security/secureScores"] = [
        {"currentScore": "n/a", "maxScore": 80}
    ]
    _, data = collect(sim)
    assert data["secure_score"] == {"identity_pct": None}  # pctf of a non-number is null
    assert data["diagnostics"]["warnings"] == []  # the maximum is usable: no `empty` cause
    assert data["diagnostics"]["license"]["capabilities_unavailable"] == []
