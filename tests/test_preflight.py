"""`--preflight [--json]` (v1.1 §V.12): what works, what does not and the fix, in seconds."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import jsonschema

from tests.runner import REPO, Run, base_config, epack_env, run_collector
from tests.simulator import Fault, Simulator
from tests.simulator.scenario import licence_required, permission_denied
from tests.tenants.azure_estate import S1, S2, S3, azure_estate
from tests.tenants.entra_tenant import install_entra

PREFLIGHT = [sys.executable, "-m", "collector", "--preflight"]
SCHEMA = json.loads((REPO / "schemas" / "preflight.v1.json").read_text())
LICENCE = (
    "License the tenant for Microsoft Entra ID P1 or P2; without it {} stays unavailable and "
    "its metrics are null."
)
PER_ITEM = re.compile(
    r"/databases|transparentDataEncryption|backupProtectedItems|backupPolicies|backupJobs"
    r"|/Microsoft\.(Compute|Storage|KeyVault)/\w+/[^/?]+/providers/Microsoft\.Insights"
)


def preflight(sim: Simulator, *extra: str, **config: Any) -> Run:
    return run_collector(base_config(sim, **config), epack_env(sim), [*PREFLIGHT, *extra])


def checks(run: Run) -> dict[tuple[str, str], dict[str, Any]]:
    document = json.loads(run.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return {(c["scope"], c["surface"]): c for c in document["checks"]}


def test_free_tier_names_the_licence_of_the_report_and_of_sign_in_activity(
    sim: Simulator,
) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults += [
        Fault("graph", "/v1.0/reports/authenticationMethods", 403, licence_required()),
        Fault("graph", "/v1.0/users", 403, licence_required(), query_contains="signInActivity"),
    ]
    run = preflight(sim)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(
        f"Preflight for tenant {sim.scenario.tenant_id} at level trust: tokens ok, tenant "
        "organization (G1) ok; 14 of 16 surfaces ok."
    )
    assert f"  G4 licence_missing: {LICENCE.format('MFA registration report')}" in run.stdout
    assert f"  G5 licence_missing: {LICENCE.format('User sign-in activity')}" in run.stdout
    assert '"epack_result"' not in run.stdout  # never an envelope


def test_json_output_validates_and_names_a_missing_permission(sim: Simulator) -> None:
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    sim.scenario.faults.append(Fault("graph", "/v1.0/servicePrincipals", 403, permission_denied()))
    run = preflight(sim, "--json", subscription_ids=subscriptions)
    assert run.returncode == 0, run.stderr
    found = checks(run)
    assert found[("tenant", "G10")]["status"] == "permission_missing"
    assert found[("tenant", "G10")]["fix"] == (
        "Grant the Microsoft Graph application permission Application.Read.All to the app "
        "registration and grant admin consent."
    )
    assert found[("tenant", "G11")]["status"] == "ok"
    assert found[(S3, "A0")]["status"] == "permission_missing"  # the denied subscription
    assert (S3, "A1") not in found  # nothing past a failed probe
    assert {c["status"] for k, c in found.items() if k[0] in (S1, S2)} == {"ok"}
    assert found[(S1, "A10")]["probed_by"] == "A8"  # per provider, never per item
    # Graph: G1 and one probe each for G2–G12 and G15–G18 (trust) = 16 requests, G18's a
    # `/groups` read, never a group's members; ARM: per subscription A0 and one first-page
    # request per resource provider, never a per-item call
    assert not [r.path for r in sim.log if PER_ITEM.search(r.path)]
    graph = [r.path for r in sim.log if r.service == "graph"]
    assert len(graph) == 16 and "/v1.0/groups" in graph
    assert not [path for path in graph if path.startswith("/v1.0/groups/")]


def test_mandatory_failures_exit_as_a_run_does(sim: Simulator) -> None:
    install_entra(sim.scenario)
    bad = run_collector(base_config(sim, tenant_id="organizations"), epack_env(sim), PREFLIGHT)
    assert bad.returncode == 2 and sim.log == []
    sim.scenario.faults.append(Fault("graph", "/v1.0/organization", 403, permission_denied()))
    denied = preflight(sim)
    assert denied.returncode == 3
    assert denied.stdout == ""


def test_preflight_prints_no_secret_or_token(sim: Simulator) -> None:
    install_entra(sim.scenario)
    run = preflight(sim, "--json")
    issued = list(sim.issued_tokens)
    assert issued
    for value in [sim.scenario.client_secret, *issued, *(t.split(".")[2] for t in issued)]:
        assert value not in run.stdout and value not in run.stderr
