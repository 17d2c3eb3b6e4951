"""The epack process contract end to end (§2.9, §3): a subprocess against the simulator."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from collector._version import __version__
from tests.conftest import validate_envelope
from tests.runner import REPO, base_config, epack_env, run_collector
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import (
    CLIENT_SECRET,
    GITHUB_REQUEST_TOKEN,
    TENANT_ID,
    licence_required,
    permission_denied,
)
from tests.tenants.azure_estate import azure_estate
from tests.tenants.entra_tenant import install_entra

SUB_OK = "33333333-3333-3333-3333-333333333333"
SUB_MISSING = "44444444-4444-4444-4444-444444444444"


def test_capabilities_and_version_need_nothing() -> None:
    run = run_collector(
        None, {"PATH": os.environ["PATH"]}, [sys.executable, "-m", "collector", "--capabilities"]
    )
    assert run.returncode == 0
    assert json.loads(run.stdout) == {
        "kind": "collector",
        "name": "microsoft-cloud",
        "version": __version__,
        "protocol_version": 1,
        "description": "Collects Microsoft Entra ID and Azure security posture metrics",
    }
    assert run.stdout.startswith('{\n  "kind": "collector",\n  "name"')
    version = run_collector(
        None, {"PATH": os.environ["PATH"]}, [sys.executable, "-m", "collector", "--version"]
    )
    assert (version.returncode, version.stdout) == (0, f"{__version__}\n")


def test_config_errors_exit_2_before_any_request(sim: Simulator) -> None:
    cases = {
        "{not json": "error: config file is not valid JSON",
        "[]": "error: config must be a JSON object",
        json.dumps(
            base_config(sim, tenant_id="organizations")
        ): 'error: tenant_id must name one tenant; "organizations" is not allowed',
        json.dumps(
            base_config(sim, subscription_ids=None)
        ): "error: subscription_ids is required; use [] to collect Entra ID only",
        json.dumps(
            base_config(sim, deadline_seconds=10)
        ): "error: deadline_seconds must be an integer between 60 and 3600",
        json.dumps(
            base_config(sim, emergency_access_accounts="CANARY-breakglass@contoso.example")
        ): "error: emergency_access_accounts must be a list of object ID strings",
        json.dumps(
            base_config(sim, emergency_access_accounts=[TENANT_ID, "CANARY-breakglass"])
        ): "error: emergency_access_accounts[1] must be a GUID",
        json.dumps(
            base_config(
                sim,
                emergency_access_accounts=[
                    f"{n:08d}-0000-0000-0000-000000000000" for n in range(21)
                ],
            )
        ): "error: emergency_access_accounts allows at most 20 accounts",
    }
    for config, message in cases.items():
        run = run_collector(config, epack_env(sim))
        assert (run.returncode, run.stderr.strip(), run.stdout) == (2, message, "")
    missing = run_collector(None, epack_env(sim))
    assert (missing.returncode, missing.stderr.strip()) == (2, "error: tenant_id is required")
    assert sim.log == []


def test_missing_credentials_exit_3_before_any_request(sim: Simulator) -> None:
    env = epack_env(sim)
    del env["AZURE_CLIENT_SECRET"]
    run = run_collector(base_config(sim), env)
    assert (run.returncode, run.stderr.strip()) == (
        3,
        "error: AZURE_CLIENT_SECRET is not set; list it under secrets: in epack.yaml and set it "
        "in the job's environment",
    )
    oidc = run_collector(base_config(sim, auth_mode="oidc"), env)
    assert (oidc.returncode, oidc.stderr.strip()) == (
        3,
        "error: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set "
        "(GitHub Actions sets them only for a job with permissions: id-token: write); list both "
        "under secrets: in epack.yaml and set both in the job's environment",
    )
    plain = run_collector(
        base_config(sim, auth_mode="oidc"),
        {
            **env,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "http://x.example/t",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "t",
        },
    )
    assert (plain.returncode, plain.stderr.strip()) == (
        3,
        "error: ACTIONS_ID_TOKEN_REQUEST_URL must be an absolute https URL",
    )
    assert sim.log == []


def _tenant(scenario: Scenario) -> None:
    scenario.graph_collections["/users"] = [
        {"id": "u1", "accountEnabled": True, "userType": "Member", "displayName": "Ann"},
        {"id": "u2", "accountEnabled": True, "userType": "Guest", "mail": "g@x.example"},
        {"id": "u3", "accountEnabled": False, "userType": "Member"},
        {"id": "u4", "accountEnabled": True, "userType": "Member"},
    ]
    scenario.graph_page_caps["/users"] = 3
    scenario.add_subscription(SUB_OK)


def test_client_secret_run_emits_all_four_artifacts(scenario: Scenario, sim: Simulator) -> None:
    _tenant(scenario)
    run = run_collector(base_config(sim, subscription_ids=[SUB_OK, SUB_MISSING]), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    assert run.paths == [
        "artifacts/microsoft-cloud.entra.json",
        "artifacts/microsoft-cloud.idp-posture.json",
        "artifacts/microsoft-cloud.azure.json",
        "artifacts/microsoft-cloud.cloud-posture.json",
    ]
    entra = run.artifact("entra.json")
    assert entra is not None
    assert (entra["tenant_id"], entra["org_domain"]) == (scenario.tenant_id, "contoso.example")
    # 4 users: 1 guest (25 %), 1 disabled (25 %), enabled members u1 and u4.
    assert entra["users"]["total_count"] == 4
    assert entra["users"]["guest_pct"] == 25
    assert entra["users"]["disabled_pct"] == 25
    assert entra["users"]["enabled_member_users_count"] == 2
    assert entra["diagnostics"]["subscription_errors"] == [
        f"{SUB_MISSING}: arm request /subscriptions/[subscription_id]?api-version failed: "
        "status=404 code=SubscriptionNotFound"
    ]
    azure = run.artifact("azure.json")
    assert azure is not None and [a["account_id"] for a in azure["accounts"]] == [SUB_OK]
    assert azure["diagnostics"] == entra["diagnostics"]
    # Progress lines first, then exactly one envelope last. Phases and subscriptions report
    # when they start and finish (their relative order depends on the service's timing).
    messages = [p["message"] for p in run.progress]
    assert messages[:2] == [
        "Collecting Microsoft Entra ID posture",
        "Collecting Azure posture for 2 subscription(s)",
    ]
    for sub in (SUB_OK, SUB_MISSING):
        assert messages.index(f"Collecting Azure subscription {sub}") < messages.index(
            f"Collected Azure subscription {sub}"
        )
    finished = [p for p in run.progress if p["kind"] == "progress"]
    assert [(p["current"], p["total"]) for p in finished] == [(1, 2), (2, 2)]
    assert "Azure posture collected for 2 subscription(s)" in messages
    assert run.stdout.count('"epack_result"') == 1 and run.stdout.endswith("}\n")
    # Only the tokens, then data requests, every one with a valid bearer for its service.
    assert [r.service for r in sim.log[:2]] == ["login", "login"]
    assert all(r.authorized for r in sim.log if r.service in ("graph", "arm"))
    assert all(
        r.headers["user-agent"].startswith("epack-collector-microsoft-cloud/") for r in sim.log
    )


def test_oidc_run_fetches_github_token_with_cloud_audience(
    scenario: Scenario, sim: Simulator
) -> None:
    _tenant(scenario)
    env = epack_env(
        sim,
        ACTIONS_ID_TOKEN_REQUEST_URL=sim.github_request_url(),
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=GITHUB_REQUEST_TOKEN,
    )
    del env["AZURE_CLIENT_SECRET"]
    run = run_collector(base_config(sim, auth_mode="oidc", subscription_ids=[SUB_OK]), env)
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    assert len(run.paths) == 4
    github = sim.requests("github")
    assert len(github) == 2  # a fresh GitHub token before each of the two Entra token requests
    assert all("audience=api%3A%2F%2FAzureADTokenExchange" in r.query for r in github)
    assert GITHUB_REQUEST_TOKEN not in run.stdout + run.stderr


def test_tls_trust_comes_from_ssl_cert_file_alone(scenario: Scenario, sim: Simulator) -> None:
    _tenant(scenario)
    env = epack_env(sim)
    del env["SSL_CERT_FILE"]
    untrusted = run_collector(base_config(sim), env)
    assert untrusted.returncode == 4
    assert untrusted.stderr.strip() == "error: token request for graph failed: connection error"
    assert sim.log == []  # the handshake failed: no request reached the simulator
    trusted = run_collector(base_config(sim), epack_env(sim))
    assert trusted.returncode == 0, trusted.stderr


def test_rejected_secret_exits_3_with_aadsts_code_and_no_secret(
    scenario: Scenario, sim: Simulator
) -> None:
    env = epack_env(sim, AZURE_CLIENT_SECRET="wrong-secret-value-123")
    run = run_collector(base_config(sim), env)
    assert run.returncode == 3
    assert run.stderr.startswith(
        "error: token request for graph failed: status=401 error=invalid_client AADSTS7000215: "
        "AADSTS7000215: Invalid client secret provided. Trace ID: [id]"
    )
    assert "wrong-secret-value-123" not in run.stderr + run.stdout
    assert CLIENT_SECRET not in run.stderr + run.stdout
    assert (
        run.stdout
        == '{"type":"epack_progress","protocol_version":1,"kind":"status","message":"Collecting Microsoft Entra ID posture"}\n'
    )


def test_token_endpoint_outage_exits_4_after_retries(scenario: Scenario, sim: Simulator) -> None:
    scenario.faults.append(
        Fault("login", "/", 503, {"error": "temporarily_unavailable"}, headers={"Retry-After": "0"})
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 4
    assert (
        run.stderr.strip()
        == "error: token request for graph failed: status=503 error=temporarily_unavailable"
    )
    assert len(sim.requests("login")) == 5  # five attempts, then give up


def test_organization_denied_is_fatal_auth_error(scenario: Scenario, sim: Simulator) -> None:
    scenario.faults.append(Fault("graph", "/v1.0/organization", 403, permission_denied()))
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 3
    assert run.stderr.strip() == (
        "error: graph request /organization?$select failed: status=403 code=Authorization_RequestDenied"
    )
    assert '"epack_result"' not in run.stdout


def test_organization_missing_is_config_error(scenario: Scenario, sim: Simulator) -> None:
    scenario.organization = []
    run = run_collector(base_config(sim), epack_env(sim))
    assert (run.returncode, run.stderr.strip()) == (
        2,
        "error: graph request /organization?$select returned no organization",
    )


def test_all_subscriptions_failing_omits_azure_artifacts(
    scenario: Scenario, sim: Simulator
) -> None:
    _tenant(scenario)
    run = run_collector(base_config(sim, subscription_ids=[SUB_MISSING]), epack_env(sim))
    assert run.returncode == 0
    assert run.paths == [
        "artifacts/microsoft-cloud.entra.json",
        "artifacts/microsoft-cloud.idp-posture.json",
    ]
    entra = run.artifact("entra.json")
    assert entra is not None and len(entra["diagnostics"]["subscription_errors"]) == 1


def test_config_warnings_reach_stderr_and_diagnostics(scenario: Scenario, sim: Simulator) -> None:
    _tenant(scenario)
    run = run_collector(base_config(sim, level="deep", extra_key=1), epack_env(sim))
    assert run.returncode == 0
    entra = run.artifact("entra.json")
    assert entra is not None
    expected = [
        "config: ignoring unknown keys: extra_key",
        'config: unknown level "deep"; collecting at trust',
    ]
    assert entra["diagnostics"]["warnings"][:2] == expected  # config warnings come first
    assert entra["collected_at_level"] == "trust"
    # config warnings first, as soon as the config is read; the surface warnings of this
    # sparse tenant and the completeness line follow when the run has finished
    lines = run.stderr.splitlines()
    assert lines[:2] == [f"warning: {w}" for w in expected]
    assert lines[2:-1] == [f"warning: {w}" for w in entra["diagnostics"]["warnings"][2:]]
    completeness = entra["diagnostics"]["completeness"]
    assert lines[-1] == (
        f"collected {completeness['surfaces_collected']} of {completeness['surfaces_expected']} "
        f"surfaces ({completeness['pct']}%); see diagnostics.unavailable"
    )


def test_sigterm_stops_within_five_seconds_without_envelope(
    scenario: Scenario, sim: Simulator
) -> None:
    _tenant(scenario)
    scenario.latency_seconds = 3.0
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(base_config(sim)))
        env = {**epack_env(sim), "EPACK_COLLECTOR_CONFIG": str(config), "PYTHONPATH": str(REPO)}
        process = subprocess.Popen(
            [sys.executable, "-m", "collector"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        first = process.stdout.readline()  # the first status line: the run has started
        assert '"epack_progress"' in first
        time.sleep(0.5)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
        elapsed = time.monotonic() - started
    assert process.returncode == 1
    assert elapsed < 5
    assert stderr.strip() == "error: collection cancelled by SIGTERM"
    assert '"epack_result"' not in stdout


def test_https_proxy_and_no_proxy_are_honoured(scenario: Scenario, sim: Simulator) -> None:
    from tests.connect_proxy import ConnectProxy

    _tenant(scenario)
    login_port = sim.origin("login").rsplit(":", 1)[1]
    with ConnectProxy() as proxy:
        env = epack_env(sim, HTTPS_PROXY=proxy.url, NO_PROXY=f"127.0.0.1:{login_port}")
        run = run_collector(base_config(sim, subscription_ids=[SUB_OK]), env)
        tunnels = set(proxy.tunnels)
    assert run.returncode == 0, run.stderr
    graph_port = sim.origin("graph").rsplit(":", 1)[1]
    arm_port = sim.origin("arm").rsplit(":", 1)[1]
    # Graph and ARM went through the proxy; the login host was excluded by NO_PROXY.
    assert tunnels == {f"127.0.0.1:{graph_port}", f"127.0.0.1:{arm_port}"}


def test_non_bearer_token_type_is_an_auth_error(scenario: Scenario, sim: Simulator) -> None:
    scenario.faults.append(
        Fault(
            "login",
            "/",
            200,
            {"token_type": "pop", "expires_in": 3600, "access_token": "not-a-jwt-token-value"},
        )
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert (run.returncode, run.stderr.strip()) == (3, "error: token response for graph is invalid")
    assert "not-a-jwt-token-value" not in run.stdout + run.stderr


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_prints_usage_reads_no_config_and_sends_nothing(sim: Simulator, flag: str) -> None:
    env = {**epack_env(sim), "EPACK_COLLECTOR_CONFIG": "/nonexistent/config.json"}
    run = run_collector(None, env, [sys.executable, "-m", "collector", flag])
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.startswith("usage: epack-collector-microsoft-cloud [-h | --help]")
    assert "EPACK_COLLECTOR_CONFIG=config.json" in run.stdout
    assert sim.log == []


def test_no_arguments_at_a_terminal_shows_usage_then_the_config_error(sim: Simulator) -> None:
    env = {"PATH": os.environ["PATH"]}  # not under epack, no config file named
    run = run_collector(None, env)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("usage: epack-collector-microsoft-cloud")
    assert run.stderr.rstrip().endswith("error: tenant_id is required")


def test_a_partial_run_says_what_is_missing_on_stderr(sim: Simulator) -> None:
    """One subscription denied and Conditional Access unlicensed: exit 0, and stderr tells."""
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)  # S1 busy, S2 empty, S3 denied
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/identity/conditionalAccess/policies",
            403,
            licence_required(),
        )
    )
    run = run_collector(base_config(sim, subscription_ids=subscriptions), epack_env(sim))
    assert run.returncode == 0, run.stderr
    # Expected (scope, surface) pairs at trust:
    #   tenant: G1, G2–G7, G8 and G9 (users and roles readable), G10–G12,
    #           G15–G17 (no G18: G6 is unavailable)                          = 15
    #   S1: A0, A1–A18 (A5: 2 assignments), A19 (MON not empty), A22–A27    = 26
    #   S2: A0, A1–A4, A6–A18 (A5: no assignments; A19: MON empty), A22–A27 = 24
    #   S3: A0 (denied)                                                      =  1
    # 66 expected; G6 (licence) and S3's A0 are missing: 64 collected, 64/66 = 97.0 % → 97.
    assert run.stderr.splitlines() == [
        "warning: Conditional Access policies unavailable: the tenant is not licensed for it "
        "(Microsoft Entra ID P1 or P2 required); dependent metrics are null [conditional_access]",
        "collected 64 of 66 surfaces (97%); see diagnostics.unavailable",
    ]


def _timed_lines(
    config: dict[str, Any], env: dict[str, str]
) -> tuple[list[tuple[float, str]], float]:
    """stdout lines with the time (from start) each one arrived, and the run's total time."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config))
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "collector"],
            env={**env, "EPACK_COLLECTOR_CONFIG": str(path), "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None
        lines = [(time.monotonic() - started, line) for line in process.stdout]
        assert process.wait(timeout=120) == 0
    return lines, time.monotonic() - started


def test_progress_lines_arrive_as_the_work_happens(sim: Simulator) -> None:
    """A slow tenant: the users listing pages for over 5 s and subscriptions finish apart."""
    install_entra(sim.scenario)
    subscriptions = azure_estate(sim.scenario)
    sim.scenario.graph_page_caps["/users"] = 1  # 11 users, one page each
    sim.scenario.latency_seconds = 0.6  # per request: ≥ 6.6 s of sequential users pages
    config = base_config(sim, subscription_ids=subscriptions)
    lines, total = _timed_lines(config, epack_env(sim))
    progress = [(at, json.loads(line)) for at, line in lines if '"epack_progress"' in line]
    messages = [entry["message"] for _, entry in progress]
    at = {entry["message"]: moment for moment, entry in progress}
    assert messages[0] == "Collecting Microsoft Entra ID posture"
    counts = [m for m in messages if re.fullmatch(r"Microsoft Entra ID: \d+ users read", m)]
    assert counts, messages  # the users listing reported its count while it paged
    assert int(counts[0].split()[3]) < 11
    assert at[counts[0]] >= 5.0
    finished = [(moment, e) for moment, e in progress if e["message"].startswith("Collected Azure")]
    assert [e["current"] for _, e in finished] == [1, 2, 3]
    assert {e["total"] for _, e in finished} == {3}
    # S3 (denied) finishes at its probe, S1 (busy) long after: the lines are spread out
    assert finished[-1][0] - finished[0][0] > 0.2 * total
    assert at["Collecting Microsoft Entra ID posture"] < 0.5 * total
    assert at["Azure posture collected for 3 subscription(s)"] > 0.5 * total
    entra_done = next(m for m in messages if m.startswith("Microsoft Entra ID posture collected"))
    assert at[entra_done] > at[counts[0]]
