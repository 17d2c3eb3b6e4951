"""Evidence about the evidence (v1.1 §V.10): completeness, unavailable (reason and fix),
permissions and read-only proof, each pinned on a case worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from collector.core.fixes import render_troubleshooting
from tests.conftest import validate_envelope
from tests.runner import REPO, base_config, epack_env, run_in_process
from tests.simulator import Fault, Simulator
from tests.simulator.scenario import (
    COLLECTOR_OBJECT_ID,
    GRAPH_ROLES,
    arm_error,
    graph_error,
    licence_required,
    permission_denied,
)
from tests.tenants.azure_estate import CONTRIBUTOR, S1, S2, S3, azure_estate
from tests.tenants.entra_tenant import install_entra

P1 = "License the tenant for Microsoft Entra ID P1 or P2; without it {} stays unavailable and its metrics are null."
READER_FIX = (
    "Assign the Reader role to the collector's identity on this subscription "
    "(or on its management group)."
)


def diagnostics(sim: Simulator, subscriptions: list[str] | None = None) -> dict[str, Any]:
    run = run_in_process(base_config(sim, subscription_ids=subscriptions or []), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    entra = run.artifact("entra.json")
    assert entra is not None
    block: dict[str, Any] = entra["diagnostics"]
    return block


def _entry(scope: str, surface: str, reason: str, fix: str) -> dict[str, str]:
    return {"scope": scope, "surface": surface, "reason": reason, "fix": fix}


def test_free_tier_names_the_licence_of_each_missing_surface(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.graph_collections["/subscribedSkus"] = []
    sim.scenario.faults += [
        Fault("graph", "/v1.0/reports/authenticationMethods", 403, licence_required()),
        Fault("graph", "/v1.0/identity/conditionalAccess", 403, licence_required()),
        Fault(
            "graph",
            "/v1.0/roleManagement/directory/roleEligibilitySchedules",
            400,
            graph_error("AadPremiumLicenseRequired", "Request requires a premium license."),
        ),
        Fault("graph", "/v1.0/users", 403, licence_required(), query_contains="signInActivity"),
    ]
    block = diagnostics(sim)
    # expected: G1, G2–G7, G8, G9, G10–G12, G15–G17 = 15 (no G18: G6 is unavailable);
    # G4, G5, G6, G9 unavailable: 11/15 = 73.3 → 73
    assert block["completeness"] == {"surfaces_expected": 15, "surfaces_collected": 11, "pct": 73}
    assert block["unavailable"] == [
        _entry("tenant", "G4", "licence_missing", P1.format("MFA registration report")),
        _entry("tenant", "G5", "licence_missing", P1.format("User sign-in activity")),
        _entry("tenant", "G6", "licence_missing", P1.format("Conditional Access policies")),
        _entry(
            "tenant",
            "G9",
            "licence_missing",
            "License the tenant for Microsoft Entra ID P2 or Microsoft Entra ID Governance; "
            "without it PIM eligibility schedules stays unavailable and its metrics are null.",
        ),
    ]


@pytest.mark.parametrize(
    ("path", "surface", "permission"),
    [
        ("/v1.0/reports/authenticationMethods", "G4", "AuditLog.Read.All"),
        ("/v1.0/servicePrincipals", "G10", "Application.Read.All"),
        ("/v1.0/security/secureScores", "G12", "SecurityEvents.Read.All"),
    ],
)
def test_a_missing_permission_is_named(
    sim: Simulator, path: str, surface: str, permission: str
) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults.append(Fault("graph", path, 403, permission_denied()))
    block = diagnostics(sim)
    assert block["unavailable"] == [
        _entry(
            "tenant",
            surface,
            "permission_missing",
            f"Grant the Microsoft Graph application permission {permission} to the app "
            "registration and grant admin consent.",
        )
    ]
    # 12 of v1.0, G15–G17, and G18 for p7's group: 16; one missing → 15/16 = 93.75 → 94
    assert block["completeness"] == {"surfaces_expected": 16, "surfaces_collected": 15, "pct": 94}


def test_denied_subscription_unregistered_provider_and_throttling(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)  # S3 is denied at its probe
    sim.scenario.faults += [
        Fault(
            "arm",
            f"/subscriptions/{S2}/providers/Microsoft.KeyVault",
            409,
            arm_error("MissingSubscriptionRegistration", "not registered"),
        ),
        Fault(  # throttled on every one of the 5 attempts
            "arm",
            f"/subscriptions/{S2}/providers/Microsoft.Network/networkSecurityGroups",
            429,
            arm_error("TooManyRequests", "slow down"),
            headers={"Retry-After": "0"},
        ),
    ]
    block = diagnostics(sim, subscriptions)
    assert block["unavailable"] == [
        _entry(
            S2,
            "A7",
            "provider_not_registered",
            "Register the resource provider Microsoft.KeyVault in this subscription "
            "(Subscription, Resource providers, Register); the collector never registers it.",
        ),
        _entry(
            S2,
            "A17",
            "throttled",
            "Microsoft throttled the requests until every retry was used; re-run later, or "
            "collect fewer subscriptions in one run.",
        ),
        _entry(S3, "A0", "permission_missing", READER_FIX),
    ]
    # 16 tenant + 26 for S1 + 24 for S2 + S3's A0 = 67 (tests/test_process.py); 3 missing:
    # 64/67 = 95.5 → 96
    assert block["completeness"] == {"surfaces_expected": 67, "surfaces_collected": 64, "pct": 96}


def test_read_only_identity_is_proven_from_both_planes(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    block = diagnostics(sim, subscriptions)
    # S1 assigns the collector Reader (r5); S2 assigns it nothing; S3 was never collected.
    assert block["permissions"] == {
        "graph_roles_granted": sorted(GRAPH_ROLES),
        "graph_roles_missing": [],
        "graph_roles_not_read_only": [],
        "azure_roles": {S1: ["Reader"], S2: []},
        "read_only": True,
    }
    assert list(block["permissions"]["azure_roles"]) == [S1, S2]  # config order, always


def test_a_write_role_on_either_plane_denies_the_read_only_claim(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    sim.scenario.graph_roles = [
        *GRAPH_ROLES,
        "Directory.ReadWrite.All",
        "not a permission name <CANARY>",  # never printed: not how Microsoft spells one
    ]
    assignments = sim.scenario.arm_collections[
        f"/subscriptions/{S2}/providers/Microsoft.Authorization/roleAssignments"
    ]
    assignments.append(
        {
            "id": "w1",
            "properties": {
                "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}",
                "principalType": "ServicePrincipal",
                "principalId": COLLECTOR_OBJECT_ID,
            },
        }
    )
    block = diagnostics(sim, subscriptions)
    permissions = block["permissions"]
    assert permissions["graph_roles_not_read_only"] == ["Directory.ReadWrite.All"]
    assert "CANARY" not in str(permissions)
    assert permissions["graph_roles_missing"] == []
    assert permissions["azure_roles"] == {S1: ["Reader"], S2: ["Contributor"]}
    assert permissions["read_only"] is False


def test_a_custom_azure_role_leaves_read_only_unknown(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    sim.scenario.arm_collections[
        f"/subscriptions/{S2}/providers/Microsoft.Authorization/roleAssignments"
    ].append(
        {
            "id": "c1",
            "properties": {
                "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/"
                "12345678-1234-1234-1234-123456789abc",
                "principalId": COLLECTOR_OBJECT_ID,
            },
        }
    )
    permissions = diagnostics(sim, subscriptions)["permissions"]
    assert permissions["azure_roles"] == {S1: ["Reader"], S2: ["other"]}
    assert permissions["read_only"] is None


def test_troubleshooting_doc_is_the_fix_table() -> None:
    """docs/troubleshooting.md is generated: `python -m collector.core.fixes`."""
    assert (REPO / "docs" / "troubleshooting.md").read_text() == render_troubleshooting()


def test_tokens_that_are_not_jwts_leave_the_permissions_unknown(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    sim.scenario.opaque_tokens = True
    assert diagnostics(sim, subscriptions)["permissions"] == {
        "graph_roles_granted": [],
        "graph_roles_missing": [],
        "graph_roles_not_read_only": [],
        "azure_roles": {},
        "read_only": None,
    }
