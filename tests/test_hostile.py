"""Hostile and odd responses (issue 20): exact causes, no silent wrong numbers, no secret
fragments. Each test names the response and the rule it must meet."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from collector.clients.paging import NextLinks
from collector.core.outcomes import SurfaceError
from collector.core.sanitize import printable_code
from tests.runner import Run, base_config, epack_env, run_collector
from tests.simulator import Fault, Simulator
from tests.simulator.scenario import GITHUB_REQUEST_TOKEN, permission_denied
from tests.tenants.azure_estate import S1, S2, azure_estate
from tests.tenants.entra_tenant import install_entra

DEEP = b"[" * 100_000  # valid JSON's opening, nested past any parser's recursion limit
TOKEN_PATH = "/11111111-1111-1111-1111-111111111111/oauth2/v2.0/token"


def _entra_diagnostics(run: Run) -> dict[str, list[str]]:
    assert run.returncode == 0, run.stderr
    entra = run.artifact("entra.json")
    assert entra is not None
    diagnostics: dict[str, list[str]] = entra["diagnostics"]
    return diagnostics


def test_an_arm_next_link_into_another_subscription_is_refused(sim: Simulator) -> None:
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    arm = sim.endpoints()["resource_manager"]
    other = (
        f"{arm}/subscriptions/{S2}/providers/Microsoft.KeyVault/vaults?api-version=1&$skiptoken=x"
    )
    sim.scenario.faults.append(
        Fault(
            "arm",
            f"/subscriptions/{S1}/providers/Microsoft.KeyVault/vaults",
            200,
            {"value": [{"id": "kv", "properties": {}}], "nextLink": other},
        )
    )
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    errors = _entra_diagnostics(run)["subscription_errors"]
    assert errors == [
        f"{S1}: key_vaults: arm request /subscriptions/[subscription_id]/providers/"
        "Microsoft.KeyVault/vaults?api-version failed: cross-origin next link refused"
    ]
    assert not [r for r in sim.log if S2 in r.path]  # never followed


def test_a_next_link_may_change_path_inside_its_subscription() -> None:
    """Microsoft's own Key Vault example continues on /subscriptions/{id}/resources."""
    links = NextLinks("arm", "https://arm.example", within=f"/subscriptions/{S1}")
    links.check(f"https://arm.example/subscriptions/{S1.upper()}/resources?$skiptoken=1", "r")
    for outside in (
        f"https://arm.example/subscriptions/{S2}/resources?$skiptoken=2",
        f"https://arm.example/subscriptions/{S1}0/resources",  # a longer ID is another one
        "https://arm.example/providers/Microsoft.Foo/bars",
    ):
        with pytest.raises(SurfaceError) as refused:
            links.check(outside, "r")
        assert refused.value.failure.problem == "cross-origin next link refused"


def test_an_error_code_made_of_our_own_token_is_unrecognized(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/applications",
            500,
            code_echoes_token=True,
            headers={"Retry-After": "0"},
        )
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert _entra_diagnostics(run)["tenant_errors"] == [
        "application_credentials: graph request /applications?$select&$top failed: "
        "status=500 code=unrecognized"
    ]
    for token in sim.issued_tokens:
        signature = token.rsplit(".", 1)[-1]
        assert signature[:16] not in run.stdout and signature[:16] not in run.stderr


@pytest.mark.parametrize(
    ("code", "printed"),
    [
        ("AuthorizationFailed", "AuthorizationFailed"),
        ("Request_ResourceNotFound", "Request_ResourceNotFound"),
        ("Microsoft.Sql.ServerNotFound", "Microsoft.Sql.ServerNotFound"),
        ("", None),
        ("1Starts-with-a-digit", "unrecognized"),
        ("has space", "unrecognized"),
        ("colon:separated", "unrecognized"),
        ("A" * 64, "A" * 64),
        ("A" * 65, "unrecognized"),
        ("xTopSecretValue42", "unrecognized"),  # carries 8+ characters of a held secret
    ],
)
def test_only_plausible_codes_without_secret_fragments_are_printed(
    code: str, printed: str | None
) -> None:
    assert printable_code(code, ["the-TopSecretValue42-of-this-run"]) == printed


def test_a_multi_line_secret_echoed_by_the_token_endpoint_stays_off_stderr(
    sim: Simulator,
) -> None:
    install_entra(sim.scenario)
    sim.scenario.echo_client_secret = True
    secret = "first-line-of-a-pasted-secret\nsecond-line-of-a-pasted-secret"
    run = run_collector(base_config(sim), epack_env(sim, AZURE_CLIENT_SECRET=secret))
    assert run.returncode == 3
    assert "AADSTS7000215" in run.stderr
    for line in secret.splitlines():
        for start in range(len(line) - 7):
            assert line[start : start + 8] not in run.stderr, line[start : start + 8]


@pytest.mark.parametrize("expires_in", ["absent", "soon"])
def test_a_token_response_without_a_usable_lifetime_lasts_an_hour(
    sim: Simulator, expires_in: str
) -> None:
    install_entra(sim.scenario)
    sim.scenario.token_expires_in = expires_in
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 0, run.stderr


def test_five_token_502s_with_an_html_body_exit_4_with_the_status(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults.append(
        Fault(
            "login",
            TOKEN_PATH,
            502,
            raw_body=b"<html><body>Bad Gateway</body></html>",
            headers={"Retry-After": "0", "Content-Type": "text/html"},
        )
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert (run.returncode, run.stderr.strip()) == (
        4,
        "error: token request for graph failed: status=502",
    )


def test_deeply_nested_error_bodies_keep_the_cause_of_their_status(sim: Simulator) -> None:
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    sim.scenario.faults += [
        Fault("graph", "/v1.0/servicePrincipals", 403, raw_body=DEEP),
        Fault("arm", f"/subscriptions/{S1}/providers/Microsoft.Storage", 403, raw_body=DEEP),
    ]
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    warnings = _entra_diagnostics(run)["warnings"]
    assert any(
        w.startswith("Enterprise applications unavailable: Microsoft Graph application permission")
        for w in warnings
    )
    assert (
        f"Storage accounts unavailable for subscription {S1}: access denied; assign the Reader role to the collector's service principal on this subscription"
        in warnings
    )


def test_a_deeply_nested_403_on_the_organization_is_an_auth_error(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.faults.append(Fault("graph", "/v1.0/organization", 403, raw_body=DEEP))
    run = run_collector(base_config(sim), epack_env(sim))
    assert (run.returncode, run.stderr.strip()) == (
        3,
        "error: graph request /organization?$select failed: status=403",
    )


@pytest.mark.parametrize("body", [b"[]", b'"a string"', DEEP])
def test_arm_bodies_of_the_wrong_shape_are_invalid_json(sim: Simulator, body: bytes) -> None:
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    sim.scenario.faults.append(
        Fault("arm", f"/subscriptions/{S1}/providers/Microsoft.Storage", 200, raw_body=body)
    )
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert _entra_diagnostics(run)["subscription_errors"] == [
        f"{S1}: storage_accounts: arm request /subscriptions/[subscription_id]/providers/"
        "Microsoft.Storage/storageAccounts?api-version failed: invalid JSON response"
    ]


def test_a_config_fifo_without_a_writer_is_a_config_error_not_a_hang(sim: Simulator) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fifo = Path(tmp) / "config.json"
        os.mkfifo(fifo)
        started = time.monotonic()
        run = run_collector(
            None, {**epack_env(sim), "EPACK_COLLECTOR_CONFIG": str(fifo)}, timeout=20
        )
    assert time.monotonic() - started < 10
    assert (run.returncode, run.stderr.strip()) == (
        2,
        "error: config file could not be read: EPACK_COLLECTOR_CONFIG must name a regular file",
    )
    assert sim.log == []


def test_a_missing_ssl_cert_file_is_a_tls_setup_error(sim: Simulator) -> None:
    install_entra(sim.scenario)
    env = epack_env(sim, SSL_CERT_FILE="/nonexistent/ca.pem")
    run = run_collector(base_config(sim), env)
    assert (run.returncode, run.stderr.strip()) == (
        4,
        "error: TLS trust could not be loaded: SSL_CERT_FILE / SSL_CERT_DIR must name a "
        "readable PEM bundle or certificate directory",
    )
    assert sim.log == []


def test_permission_denied_is_still_read_normally(sim: Simulator) -> None:
    """The status-first rule keeps ordinary Microsoft error bodies working as before."""
    install_entra(sim.scenario)
    sim.scenario.faults.append(Fault("graph", "/v1.0/servicePrincipals", 403, permission_denied()))
    run = run_collector(base_config(sim), epack_env(sim))
    assert any("Application.Read.All" in w for w in _entra_diagnostics(run)["warnings"])


@pytest.mark.parametrize("value", ['"oops"', "null", "7", "{}"])
def test_an_arm_page_whose_value_is_not_a_list_is_never_a_count(sim: Simulator, value: str) -> None:
    """`"value": "oops"` gave `vaults_count: 0` with no diagnostic (§7.1.4)."""
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    sim.scenario.faults.append(
        Fault(
            "arm",
            f"/subscriptions/{S1}/providers/Microsoft.KeyVault",
            200,
            raw_body=b'{"value": ' + value.encode() + b"}",
        )
    )
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert _entra_diagnostics(run)["subscription_errors"] == [
        f"{S1}: key_vaults: arm request /subscriptions/[subscription_id]/providers/"
        "Microsoft.KeyVault/vaults?api-version failed: invalid JSON response"
    ]
    azure = run.artifact("azure.json")
    assert azure is not None
    assert azure["accounts"][0]["keyvault"]["vaults_count"] is None


CHALLENGE = (
    'Bearer realm="", authorization_uri="https://login.example/common/oauth2/authorize", '
    'error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1'
    'ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ=="'
)


def test_a_claims_challenge_gets_a_new_token_not_the_same_one(sim: Simulator) -> None:
    """A 401 carrying a Continuous Access Evaluation challenge: the cached token is rejected,
    so the retry carries a token requested with the challenge's claims."""
    install_entra(sim.scenario)
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/subscribedSkus",
            401,
            {"error": {"code": "InvalidAuthenticationToken", "message": "claims"}},
            headers={"WWW-Authenticate": CHALLENGE},
            times=1,
        )
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 0, run.stderr
    skus = [r for r in sim.log if r.path == "/v1.0/subscribedSkus"]
    assert len(skus) == 2
    tokens = [r.headers.get("authorization") for r in skus]
    assert tokens[0] != tokens[1] and skus[1].authorized
    token_requests = [r.body.decode() for r in sim.log if r.service == "login"]
    assert sum("claims=" in body for body in token_requests) == 1


def test_a_throttled_secure_score_does_not_hold_the_directory(sim: Simulator) -> None:
    """Graph meters each service family apart: a 429 from the security API with a long
    Retry-After holds the security API, not users, policies and applications."""
    install_entra(sim.scenario)
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/security/secureScores",
            429,
            {"error": {"code": "TooManyRequests", "message": "slow down"}},
            headers={"Retry-After": "20"},
            times=1,
        )
    )
    run = run_collector(base_config(sim), epack_env(sim))
    assert run.returncode == 0, run.stderr
    scores = [r.at for r in sim.log if r.path.startswith("/v1.0/security")]
    directory = [
        r.at
        for r in sim.log
        if r.service == "graph" and not r.path.startswith(("/v1.0/security", "/v1.0/organization"))
    ]
    assert scores[1] - scores[0] >= 19.5  # the security API waited as asked
    assert max(directory) - scores[0] < 10  # the rest of Graph did not


def test_arm_booleans_are_json_literals_and_one_odd_value_sinks_nothing(sim: Simulator) -> None:
    """The SDK's models read the string "true" as True and raised on "maybe", failing the whole
    page; read as raw JSON, only the literal `true` counts and the odd account is just odd."""
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    accounts = [
        {
            "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a1",
            "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2"},
        },
        {
            "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a2",
            "properties": {"supportsHttpsTrafficOnly": "true", "minimumTlsVersion": "TLS1_2"},
        },
        {
            "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a3",
            "properties": {
                "supportsHttpsTrafficOnly": "maybe",
                "allowBlobPublicAccess": 1,
                "encryption": {"requireInfrastructureEncryption": "0.42"},
            },
        },
    ]
    sim.scenario.faults.append(
        Fault(
            "arm",
            f"/subscriptions/{S1}/providers/Microsoft.Storage/storageAccounts",
            200,
            {"value": accounts},
        )
    )
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert run.returncode == 0, run.stderr
    azure = run.artifact("azure.json")
    assert azure is not None
    storage = azure["accounts"][0]["storage"]
    assert storage["storage_accounts_count"] == 3
    assert storage["https_only_pct"] == 33  # only a1's literal true: 1/3
    assert storage["infrastructure_encryption_pct"] == 0  # "0.42" is no JSON true
    assert azure["diagnostics"]["subscription_errors"] == []


def test_a_deeply_nested_github_oidc_answer_is_an_auth_error(sim: Simulator) -> None:
    """The GitHub OIDC token response path exited 1 ("internal error") on such a body."""
    install_entra(sim.scenario)
    sim.scenario.faults.append(Fault("github", "/_apis/", 200, raw_body=DEEP))
    env = epack_env(
        sim,
        ACTIONS_ID_TOKEN_REQUEST_URL=sim.github_request_url(),
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=GITHUB_REQUEST_TOKEN,
    )
    run = run_collector(base_config(sim, auth_mode="oidc"), env)
    assert (run.returncode, run.stderr.strip()) == (
        3,
        "error: GitHub OIDC token response missing value",
    )
