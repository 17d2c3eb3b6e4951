"""audit and internal levels: inventory, directory activity, sign-in monitoring, supersets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import validate_envelope
from tests.runner import Run, base_config, epack_env, run_collector, run_in_process
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import licence_required
from tests.tenants.activity import many_sign_ins
from tests.tenants.azure_estate import S1
from tests.tenants.full import full_estate


@pytest.fixture
def scenario() -> Scenario:
    return full_estate()


def collect(sim: Simulator, level: str) -> Run:
    run = run_in_process(base_config(sim, subscription_ids=[S1], level=level), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    return run


def data(run: Run, suffix: str) -> dict[str, Any]:
    artifact = run.artifact(suffix)
    assert artifact is not None
    return artifact


def test_internal_level_counts(sim: Simulator) -> None:
    entra = data(collect(sim, "internal"), "entra.json")
    assert entra["collected_at_level"] == "internal"
    # 10 events; the one 60 s before the window is filtered by the server → 9.
    assert entra["directory_activity"] == {
        "lookback_hours": 168,
        "events_count": 9,
        "failure_count": 2,  # failure (group), timeout (app)
        "delete_events_count": 2,  # Delete, delete
        "user_change_events_count": 2,  # UserManagement ×2 (one just inside the window)
        "group_change_events_count": 1,  # category, and target "Type" matched case-insensitively
        "app_change_events_count": 2,  # ApplicationManagement; target type Application
        "role_change_events_count": 2,  # RoleManagement ×2
        "policy_change_events_count": 1,
        "pim_events_count": 2,  # loggedByService PIM; "Privileged Identity Management"
    }
    # 5 hand rows + 11 failing rows with codes 1..11; the row outside the window is filtered.
    assert entra["sign_in_monitoring"] == {
        "lookback_hours": 168,
        "sign_ins_count": 16,
        "failure_count": 14,  # 50126, 50126, 53003 and codes 1..11 ("50126" string is no number)
        "unique_users_count": 4,  # U1 (two spellings), U2, U3, U4; empty userId ignored
        "unique_apps_count": 4,
        "legacy_client_sign_ins_count": 2,  # IMAP4, Exchange ActiveSync
        "risky_sign_ins_count": 2,  # low; hidden+medium
        "conditional_access_success_count": 1,
        "conditional_access_failure_count": 12,
        "conditional_access_not_applied_count": 2,  # notApplied, not_applied
        "applied_policies_count": 3,  # P1 P2 P3 (empty id ignored)
        "applied_policy_evaluations_count": 6,
        "applied_policy_success_count": 1,
        "applied_policy_failure_count": 1,
        "applied_policy_not_applied_count": 2,  # notApplied, notEnabled
        "applied_policy_report_only_fail_count": 1,
        "top_failure_codes": [{"code": 50126, "count": 2}]
        + [{"code": c, "count": 1} for c in range(1, 10)],
    }
    assert entra["diagnostics"]["truncation"] == {
        "sign_in_monitoring/top_failure_codes": {
            "truncated": True,
            "dropped_count": 3,
        },  # 53003, 10, 11
        f"{S1}/inventory/top_resource_types": {"truncated": True, "dropped_count": 3},
    }


def test_audit_inventory(sim: Simulator) -> None:
    run = collect(sim, "audit")
    inventory = data(run, "azure.json")["accounts"][0]["inventory"]
    assert (
        inventory
        == {
            "resources_count": 15,
            "resource_groups_count": 3,  # RG-One/rg-one, rg-two, rg-three
            "regions_count": 3,  # westeurope (trimmed, lower), global, eastus
            "owner_tag_coverage_pct": 13,  # Owner, application-owner → 2/15
            "environment_tag_coverage_pct": 20,  # Environment, Stage (env blank), ENV (sorts before environment)
            "production_resources_pct": 13,  # Prod, production → 2/15
            "top_resource_types": [
                {"type": "Microsoft.Compute/virtualMachines", "count": 2},
                {"type": "Microsoft.Security/pricings", "count": 1},
                {"type": "Microsoft.Storage/storageAccounts", "count": 1},
                *({"type": f"Microsoft.Test/type{k}", "count": 1} for k in range(7)),
            ],
        }
    )
    assert "directory_activity" not in data(run, "entra.json")
    assert not [r for r in sim.requests("graph") if "auditLogs" in r.path]


def _without_level(document: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in document.items()
        if k not in ("collected_at", "collected_at_level", "diagnostics")
    }


def test_each_level_is_a_strict_superset(sim: Simulator) -> None:
    runs = {level: collect(sim, level) for level in ("trust", "audit", "internal")}
    entra = {level: _without_level(data(run, "entra.json")) for level, run in runs.items()}
    azure = {level: data(run, "azure.json")["accounts"][0] for level, run in runs.items()}
    assert "inventory" not in azure["trust"] and "directory_activity" not in entra["trust"]
    assert azure["audit"] == {**azure["trust"], "inventory": azure["audit"]["inventory"]}
    assert azure["internal"] == azure["audit"]
    assert entra["audit"] == entra["trust"]
    assert entra["internal"] == {
        **entra["audit"],
        "directory_activity": entra["internal"]["directory_activity"],
        "sign_in_monitoring": entra["internal"]["sign_in_monitoring"],
    }
    assert data(runs["trust"], "entra.json")["diagnostics"]["truncation"] == {}
    filters = {
        r.query
        for r in sim.requests("graph")
        if "auditLogs" in r.path and "skiptoken" not in r.query
    }
    windows = {q.split("ge%20")[1][:20] for q in filters}
    assert len(filters) == 2 and len(windows) == 1  # one lookback instant for both logs


def test_sign_in_licence_gap_omits_block(sim: Simulator) -> None:
    sim.scenario.faults.append(Fault("graph", "/v1.0/auditLogs/signIns", 403, licence_required()))
    entra = data(collect(sim, "internal"), "entra.json")
    assert "sign_in_monitoring" not in entra and "directory_activity" in entra
    assert entra["diagnostics"]["license"]["capabilities_unavailable"] == ["sign_in_logs"]
    assert entra["diagnostics"]["warnings"] == [
        "Sign-in log unavailable: the tenant is not licensed for it (Microsoft Entra ID P1 or P2 required); "
        "dependent metrics are null [sign_in_logs]"
    ]


def test_streams_200k_sign_ins_with_bounded_memory(sim: Simulator) -> None:
    sim.scenario.graph_collections["/auditLogs/signIns"] = many_sign_ins(200_000)
    sim.scenario.graph_page_caps["/auditLogs/signIns"] = 999  # Graph's maximum page size
    run = run_collector(base_config(sim, subscription_ids=[S1], level="internal"), epack_env(sim))
    assert run.returncode == 0, run.stderr
    peak_mib = run.peak_rss_kib / 1024  # that process's own peak (VmHWM)
    monitoring = data(run, "entra.json")["sign_in_monitoring"]
    assert monitoring["sign_ins_count"] == 200_000
    assert monitoring["unique_users_count"] == 50_000
    assert monitoring["failure_count"] == 20_000
    assert monitoring["top_failure_codes"] == [{"code": 50126, "count": 20_000}]
    print(f"\npeak RSS of the collector streaming 200,000 sign-ins: {peak_mib:.0f} MiB")
    assert peak_mib < 400
