"""Never lose a run, never leak: hostile responses, throttling, deadlines, secrets, canaries."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import validate_envelope
from tests.runner import Run, base_config, epack_env, run_collector
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import GITHUB_REQUEST_TOKEN, Chaos, graph_error
from tests.tenants.azure_estate import S1, S2
from tests.tenants.entra_tenant import install_entra, uid
from tests.tenants.full import full_estate

BREAK_GLASS = uid(10)  # declared as an emergency access account in every canary run
CA_GROUP = "bbbbbbbb-0000-0000-0000-000000000009"  # the group Conditional Access p7 names

# Keys whose values are personal or customer-authored anywhere in Graph or ARM responses.
PERSONAL_KEYS = frozenset(
    {
        "displayName",
        "userPrincipalName",
        "mail",
        "name",
        "friendlyName",
        "entityFriendlyName",
        "ipAddress",
        "city",
        "userDisplayName",
        "appDisplayName",
        "hint",
        "deviceDetail",
        "location",
        "description",
        "activityDisplayName",
        "resourceDisplayName",
    }
)


def canarize(value: Any, counter: list[int], key: str = "") -> Any:
    """Replace every personal value (and every tag) with a unique CANARY marker."""
    if key in PERSONAL_KEYS and not isinstance(value, (dict, list)) and value not in (None, ""):
        counter[0] += 1
        return f"CANARY{counter[0]:05d}x"
    if key == "tags" and isinstance(value, dict):
        counter[0] += 1
        return {f"CANARYKEY{counter[0]}": f"CANARY{counter[0]:05d}v", **value}
    if isinstance(value, dict):
        return {k: canarize(v, counter, k) for k, v in value.items()}
    if isinstance(value, list):
        return [canarize(item, counter, key) for item in value]
    return value


def canary_scenario() -> Scenario:
    scenario = full_estate(datetime.now(UTC))
    counter = [0]
    # p7's group: Graph lists the users behind it with their names and mail (v1.1 G18)
    scenario.group_members[CA_GROUP] = [
        {"@odata.type": "#microsoft.graph.user", "id": uid(1), "displayName": "x", "mail": "x"},
        {"@odata.type": "#microsoft.graph.group", "id": uid(99), "displayName": "a group name"},
    ]
    scenario.graph_collections = canarize(scenario.graph_collections, counter)
    scenario.graph_objects = canarize(scenario.graph_objects, counter)  # G15, G16 names
    scenario.group_members = canarize(scenario.group_members, counter)
    scenario.arm_collections = canarize(scenario.arm_collections, counter)
    # organization names are verified domains: one of them is the allowed `org_domain`
    assert counter[0] > 200
    # Errors that carry names in their messages must not carry them any further.
    scenario.faults += [
        Fault(
            "arm",
            f"/subscriptions/{S2}/providers/Microsoft.KeyVault",
            500,
            graph_error("InternalServerError", "vault CANARY-ERR-1 in rg CANARY-ERR-2 failed"),
            headers={"Retry-After": "0"},
        ),
        Fault(
            "graph",
            "/v1.0/security/secureScores",
            400,
            graph_error("BadRequest", "user CANARY-ERR-3@contoso.example is not allowed"),
        ),
        # an error code made of the signature segment of the request's own access token
        Fault(
            "graph",
            "/v1.0/applications",
            500,
            code_echoes_token=True,
            headers={"Retry-After": "0"},
        ),
    ]
    # a client secret pasted with a line break: every line is a secret of its own
    scenario.client_secret = "canary-pasted-secret-line-one\ncanary-pasted-secret-line-two"
    return scenario


def assert_clean(run: Run, sim: Simulator, extra_secrets: list[str]) -> None:
    output = run.stdout + run.stderr
    assert "CANARY" not in output
    # join keys only: the declared break-glass account and the Conditional Access group
    for join_key in (BREAK_GLASS, CA_GROUP):
        assert join_key not in output.lower()
    assert (
        "secret" not in output.lower()
    )  # every resource and group name in the estate says "secret"
    for token in [*sim.issued_tokens, *sim.github_tokens, *extra_secrets]:
        assert token not in output
        for line in token.splitlines():  # no line of a secret, and no 16-character run of
            for start in range(0, max(1, len(line) - 15), 4):  # a token (its signature too)
                assert line[start : start + 16] not in output
    banned = (
        "userPrincipalName",
        "displayName",
        "ipAddress",
        "deviceDetail",
        "appliedConditionalAccessPolicies",
        "access_token",
        "refresh_token",
        "clientSecret",
    )
    for key in banned:
        assert f'"{key}"' not in run.stdout


@pytest.mark.parametrize("level", ["trust", "audit", "internal"])
@pytest.mark.parametrize("mode", ["client_secret", "oidc"])
def test_no_canary_or_secret_reaches_any_output(level: str, mode: str) -> None:
    with Simulator(canary_scenario()) as sim:
        env = epack_env(sim)
        if mode == "oidc":
            del env["AZURE_CLIENT_SECRET"]
            env |= {
                "ACTIONS_ID_TOKEN_REQUEST_URL": sim.github_request_url(),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": GITHUB_REQUEST_TOKEN,
            }
        run = run_collector(
            base_config(
                sim,
                auth_mode=mode,
                level=level,
                subscription_ids=[S1, S2],
                emergency_access_accounts=[BREAK_GLASS],
            ),
            env,
        )
        assert run.returncode == 0, run.stderr
        validate_envelope(run)
        assert_clean(run, sim, [sim.scenario.client_secret, GITHUB_REQUEST_TOKEN])
        entra = run.artifact("entra.json")
        assert entra is not None and entra["diagnostics"]["subscription_errors"] == [
            f"{S2}: key_vaults: arm request /subscriptions/[subscription_id]/providers/Microsoft.KeyVault/vaults"
            "?api-version failed: status=500 code=InternalServerError"
        ]
        assert (
            "application_credentials: graph request /applications?$select&$top failed: "
            "status=500 code=unrecognized"
        ) in entra["diagnostics"]["tenant_errors"]


def test_no_canary_reaches_any_output_through_resource_graph() -> None:
    """The list surfaces from Resource Graph rows (every name canaried), one query failing
    with names in its error text: nothing of either reaches the output."""
    scenario = canary_scenario()
    error = graph_error("BadRequest", "resource CANARY-ERR-4 in rg CANARY-ERR-5 is invalid")
    scenario.faults.append(
        Fault("arm", "/providers/Microsoft.ResourceGraph/resources", 400, error, times=1)
    )
    with Simulator(scenario) as sim:
        config = base_config(
            sim,
            level="internal",
            subscription_ids=[S1, S2],
            emergency_access_accounts=[BREAK_GLASS],
            resource_graph="always",
        )
        run = run_collector(config, epack_env(sim))
        queries = [e for e in sim.requests("arm") if e.path.endswith("ResourceGraph/resources")]
    assert run.returncode == 0, run.stderr
    assert len(queries) == 11
    validate_envelope(run)
    assert_clean(run, sim, [sim.scenario.client_secret])


def test_tokens_never_leak_when_services_echo_them(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults += [
        Fault("graph", "/v1.0/applications", 400, echo_authorization=True),
        Fault("arm", f"/subscriptions/{S1}", 401, echo_authorization=True),
    ]
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert run.returncode == 0
    assert sim.issued_tokens and all(
        token not in run.stdout + run.stderr for token in sim.issued_tokens
    )
    entra = run.artifact("entra.json")
    assert entra is not None
    assert entra["diagnostics"]["subscription_errors"] == [
        f"{S1}: arm request /subscriptions/[subscription_id]?api-version failed: status=401 code=InternalServerError"
    ]


def test_rejected_oidc_assertion_shows_hint_but_no_token(sim: Simulator) -> None:
    env = epack_env(
        sim,
        ACTIONS_ID_TOKEN_REQUEST_URL=sim.github_request_url(),
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=GITHUB_REQUEST_TOKEN,
    )
    sim.scenario.github_subject = (
        "repo:example/evidence:pull_request"  # the app trusts refs/heads/main
    )
    run = run_collector(base_config(sim, auth_mode="oidc"), env)
    assert run.returncode == 3
    hint, error = run.stderr.strip().splitlines()
    assert hint.startswith(
        "hint: the federated assertion has iss=https://token.actions.githubusercontent.com "
        "sub=repo:example/evidence:pull_request aud=api://AzureADTokenExchange;"
    )
    assert error.startswith(
        "error: token request for graph failed: status=400 error=invalid_client AADSTS700213"
    )
    for token in [*sim.github_tokens, GITHUB_REQUEST_TOKEN]:
        assert token not in run.stdout + run.stderr


def _entra_run(sim: Simulator) -> dict[str, Any]:
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 0, run.stderr
    validate_envelope(run)
    entra = run.artifact("entra.json")
    assert entra is not None
    return entra


def test_hostile_responses_degrade_one_surface_each(sim: Simulator) -> None:
    install_entra(sim.scenario)
    foreign = sim.origin("github")
    sim.scenario.faults += [
        # A next link to another host must never be requested (it would receive the Graph token).
        Fault(
            "graph",
            "/v1.0/roleManagement/directory/roleAssignments",
            200,
            {
                "value": [],
                "@odata.nextLink": f"{foreign}/v1.0/roleManagement/directory/roleAssignments?$skiptoken=x",
            },
        ),
        Fault("graph", "/v1.0/applications", 200, raw_body=b'{"value": [{"id": "a"}, '),
        Fault(
            "graph",
            "/v1.0/subscribedSkus",
            502,
            raw_body=b"<html><body>502 Bad Gateway</body></html>",
            headers={"Retry-After": "0", "Content-Type": "text/html"},
        ),
        Fault(
            "graph",
            "/v1.0/servicePrincipals",
            200,
            raw_body=b'{"value": [' + b" " * (33 * 1024 * 1024) + b"]}",
        ),
        Fault("graph", "/v1.0/security/secureScores", 200, {"value": "not-a-list"}),
        Fault(
            "graph",
            "/v1.0/identity/conditionalAccess/policies",
            200,
            {
                "value": [
                    {"id": "p", "state": "unknownFutureValue", "newProperty": {"x": 1}},
                    {
                        "id": "q",
                        "state": "enabled",
                        "grantControls": {"builtInControls": ["unknownFutureValue"]},
                    },
                ],
                "@odata.nextLink": "https://graph.example.invalid/v1.0/identity/conditionalAccess/policies",
            },
        ),
    ]
    entra = _entra_run(sim)
    assert entra["diagnostics"]["tenant_errors"] == [
        "subscribed_skus: graph request /subscribedSkus?$select failed: status=502",
        "conditional_access: graph request /identity/conditionalAccess/policies?$select failed: "
        "cross-origin next link refused",
        "privileged_access: graph request /roleManagement/directory/roleAssignments?$select&$top failed: "
        "cross-origin next link refused",
        "enterprise_apps: graph request /servicePrincipals?$filter&$select&$top failed: response too large",
        "application_credentials: graph request /applications?$select&$top failed: invalid JSON response",
        "identity_secure_score: graph request /security/secureScores?$top failed: invalid JSON response",
    ]
    assert entra["users"]["total_count"] == 11  # untouched surfaces are intact
    assert "apps" not in entra and "privileged_access" not in entra
    assert sim.requests("github") == []  # the foreign host received nothing, credentialed or not
    assert len([r for r in sim.requests("graph") if r.path == "/v1.0/subscribedSkus"]) == 5


def test_compressed_bodies_are_decoded_and_capped_after_decompression(sim: Simulator) -> None:
    install_entra(sim.scenario)
    applications = json.dumps({"value": sim.scenario.graph_collections["/applications"]})
    gzip_header = {"Content-Encoding": "gzip"}
    sim.scenario.faults += [
        Fault(
            "graph",
            "/v1.0/applications",
            200,
            raw_body=gzip.compress(applications.encode()),
            headers=gzip_header,
        ),
        Fault(  # 40 MiB of JSON whitespace in a 40 KiB gzip body
            "graph",
            "/v1.0/servicePrincipals",
            200,
            raw_body=gzip.compress(b'{"value": [' + b" " * (40 * 1024 * 1024) + b"]}"),
            headers=gzip_header,
        ),
        Fault(
            "graph", "/v1.0/security/secureScores", 200, raw_body=b"not gzip", headers=gzip_header
        ),
    ]
    entra = _entra_run(sim)
    assert entra["diagnostics"]["tenant_errors"] == [
        "enterprise_apps: graph request /servicePrincipals?$filter&$select&$top failed: response too large",
        "identity_secure_score: graph request /security/secureScores?$top failed: invalid JSON response",
    ]
    assert entra["users"]["total_count"] == 11
    # /applications arrived gzip-compressed and decoded cleanly (no application_credentials
    # error); the corrupt body failed once, without retries.
    assert len([r for r in sim.requests("graph") if r.path == "/v1.0/security/secureScores"]) == 1


def test_paging_loop_and_beta_links_are_refused(sim: Simulator) -> None:
    install_entra(sim.scenario)
    graph = sim.origin("graph")
    sim.scenario.faults += [
        Fault(
            "graph",
            "/v1.0/applications",
            200,
            {"value": [], "@odata.nextLink": f"{graph}/v1.0/applications?$skiptoken=same"},
        ),
        Fault(
            "graph",
            "/v1.0/servicePrincipals",
            200,
            {"value": [], "@odata.nextLink": f"{graph}/beta/servicePrincipals?$skiptoken=b"},
        ),
    ]
    errors = _entra_run(sim)["diagnostics"]["tenant_errors"]
    assert errors == [
        "enterprise_apps: graph request /servicePrincipals?$filter&$select&$top failed: beta endpoint refused",
        "application_credentials: graph request /applications?$skiptoken failed: paging loop detected",
    ]
    assert not [r for r in sim.log if "/beta/" in r.path]


def _comparable(run: Run) -> list[dict[str, Any]]:
    artifacts = json.loads(json.dumps(run.envelope["artifacts"]))
    for artifact in artifacts:
        artifact["data"].pop("collected_at", None)
    return artifacts


def test_throttling_and_outages_do_not_change_the_output() -> None:
    now = datetime.now(UTC)
    with Simulator(full_estate(now)) as clean_sim:
        clean = run_collector(
            base_config(clean_sim, subscription_ids=[S1, S2], level="internal"),
            epack_env(clean_sim),
        )
    chaotic = full_estate(now)
    chaotic.chaos = Chaos(rate=0.2, per_url=2)
    with Simulator(chaotic) as sim:
        noisy = run_collector(
            base_config(sim, subscription_ids=[S1, S2], level="internal"), epack_env(sim)
        )
        data_requests = [r for r in sim.log if r.service in ("graph", "arm")]
    assert clean.returncode == noisy.returncode == 0
    retried = len(data_requests) - len({(r.path, r.query, r.method) for r in data_requests})
    assert retried >= 10  # the chaos really happened
    assert _comparable(noisy) == _comparable(clean)


def test_deadline_emits_partial_evidence(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.add_subscription(S1)
    sim.scenario.faults.append(
        Fault("graph", "/v1.0/applications", 200, {"value": []}, delay_seconds=75)
    )
    started = time.monotonic()
    run = run_collector(
        base_config(sim, deadline_seconds=60, subscription_ids=[S1]), epack_env(sim)
    )
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert 60 <= elapsed < 72
    validate_envelope(run)
    entra = run.artifact("entra.json")
    assert entra is not None
    assert entra["apps"]["credentials_expired_count"] is None
    assert entra["apps"]["enabled_enterprise_apps_count"] == 3
    diagnostics = entra["diagnostics"]
    assert "application_credentials: deadline exceeded" in diagnostics["tenant_errors"]
    assert (
        diagnostics["warnings"][-1]
        == "collection deadline of 60 s reached; surfaces not yet collected are null"
    )
    assert "application_credentials" in diagnostics["license"]["capabilities_unavailable"]
    assert {
        "scope": "tenant",
        "surface": "G11",
        "reason": "deadline",
        "fix": "The collection deadline arrived first; raise deadline_seconds (up to 3600) or "
        "collect fewer subscriptions in one run.",
    } in diagnostics["unavailable"]
