"""Every auth mode end to end against the simulator, including short-lived tokens."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from tests.runner import base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.simulator.scenario import GITHUB_REQUEST_TOKEN
from tests.simulator.server import make_jwt
from tests.tenants.entra_tenant import install_entra


def _certificate(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "epack-evidence")])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def _pem(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    certificate: x509.Certificate,
    password: bytes | None = None,
) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ) + certificate.public_bytes(serialization.Encoding.PEM)


def _without_secret(sim: Simulator, **extra: str) -> dict[str, str]:
    env = epack_env(sim, **extra)
    del env["AZURE_CLIENT_SECRET"]
    return env


def test_certificate_pem_in_environment(sim: Simulator) -> None:
    install_entra(sim.scenario)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate(key)
    sim.scenario.trusted_certificate = certificate.public_bytes(serialization.Encoding.PEM)
    pem = _pem(key, certificate).decode()
    run = run_collector(
        base_config(sim, auth_mode="certificate"),
        _without_secret(sim, AZURE_CLIENT_CERTIFICATE=pem),
    )
    assert run.returncode == 0, run.stderr
    header = sim.certificate_headers[0]
    assert (
        header["alg"] == "RS256"
        and header["typ"] == "JWT"
        and {"x5t", "x5t#S256", "x5c"} <= set(header)
    )
    assert "PRIVATE KEY" not in run.stdout + run.stderr


def test_certificate_pkcs12_file_with_password(sim: Simulator, tmp_path: Path) -> None:
    install_entra(sim.scenario)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _certificate(key)
    sim.scenario.trusted_certificate = certificate.public_bytes(serialization.Encoding.PEM)
    bundle = tmp_path / "app.pfx"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"app", key, certificate, None, serialization.BestAvailableEncryption(b"pfx-password-1")
        )
    )
    env = _without_secret(
        sim,
        AZURE_CLIENT_CERTIFICATE_PATH=str(bundle),
        AZURE_CLIENT_CERTIFICATE_PASSWORD="pfx-password-1",
    )
    run = run_collector(base_config(sim, auth_mode="certificate"), env)
    assert run.returncode == 0, run.stderr
    wrong = run_collector(
        base_config(sim, auth_mode="certificate"),
        {**env, "AZURE_CLIENT_CERTIFICATE_PASSWORD": "nope"},
    )
    assert (wrong.returncode, wrong.stderr.strip()) == (
        3,
        "error: client certificate could not be loaded: decryption failed",
    )


@pytest.mark.parametrize(
    "case", ["missing", "unreadable", "no key", "not rsa", "mismatch", "encrypted"]
)
def test_certificate_problems_exit_3_before_any_request(
    sim: Simulator, tmp_path: Path, case: str
) -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    env_by_case = {
        "missing": (
            {},
            "neither AZURE_CLIENT_CERTIFICATE nor AZURE_CLIENT_CERTIFICATE_PATH is set; list one "
            "under secrets: in epack.yaml and set one in the job's environment",
        ),
        "unreadable": (
            {"AZURE_CLIENT_CERTIFICATE_PATH": str(tmp_path / "absent.pem")},
            "client certificate could not be loaded: file unreadable",
        ),
        "no key": (
            {
                "AZURE_CLIENT_CERTIFICATE": _certificate(rsa_key)
                .public_bytes(serialization.Encoding.PEM)
                .decode()
            },
            "client certificate could not be loaded: no private key",
        ),
        "not rsa": (
            {"AZURE_CLIENT_CERTIFICATE": _pem(ec_key, _certificate(ec_key)).decode()},
            "client certificate could not be loaded: unsupported key type",
        ),
        "mismatch": (
            {"AZURE_CLIENT_CERTIFICATE": _pem(rsa_key, _certificate(other)).decode()},
            "client certificate could not be loaded: no certificate matching the private key",
        ),
        "encrypted": (
            {
                "AZURE_CLIENT_CERTIFICATE": _pem(
                    rsa_key, _certificate(rsa_key), b"pem-pass-1"
                ).decode()
            },
            "client certificate could not be loaded: decryption failed",
        ),
    }
    extra, message = env_by_case[case]
    run = run_collector(base_config(sim, auth_mode="certificate"), _without_secret(sim, **extra))
    assert (run.returncode, run.stderr.strip()) == (3, f"error: {message}")
    assert sim.log == []


def test_workload_identity_reads_the_token_file(sim: Simulator, tmp_path: Path) -> None:
    install_entra(sim.scenario)
    token = make_jwt(
        {
            "iss": "https://oidc.example",
            "sub": "system:serviceaccount:evidence:collector",
            "aud": "api://AzureADTokenExchange",
        }
    )
    sim.scenario.federated_tokens.append(token)
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n")
    env = _without_secret(sim, AZURE_FEDERATED_TOKEN_FILE=str(token_file))
    run = run_collector(base_config(sim, auth_mode="workload_identity"), env)
    assert run.returncode == 0, run.stderr
    assert token not in run.stdout + run.stderr
    token_file.write_text("   ")
    empty = run_collector(base_config(sim, auth_mode="workload_identity"), env)
    assert (empty.returncode, empty.stderr.strip()) == (
        3,
        "error: AZURE_FEDERATED_TOKEN_FILE could not be read or is empty",
    )
    missing = run_collector(base_config(sim, auth_mode="workload_identity"), _without_secret(sim))
    assert (
        missing.stderr.strip()
        == "error: AZURE_FEDERATED_TOKEN_FILE is not set; list it under secrets: in epack.yaml "
        "and set it in the job's environment"
    )


def test_managed_identity_app_service_endpoint(sim: Simulator) -> None:
    install_entra(sim.scenario)
    config = base_config(sim, auth_mode="managed_identity")
    del config["client_id"]
    env = _without_secret(
        sim,
        IDENTITY_ENDPOINT=sim.origin("login") + "/msi/token",
        IDENTITY_HEADER=sim.scenario.identity_header,
    )
    run = run_collector(config, env)
    assert run.returncode == 0, run.stderr
    assert {r.path for r in sim.requests("login")} == {"/msi/token"}
    assert sim.scenario.identity_header not in run.stdout + run.stderr


def test_tokens_expiring_mid_run_are_refreshed(sim: Simulator) -> None:
    install_entra(sim.scenario)
    sim.scenario.token_lifetime_seconds = 60  # the simulator rejects a token one second after this
    sim.scenario.slow_once["/v1.0/users"] = 65  # the first users page outlives the first tokens
    env = _without_secret(
        sim,
        ACTIONS_ID_TOKEN_REQUEST_URL=sim.github_request_url(),
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=GITHUB_REQUEST_TOKEN,
    )
    run = run_collector(base_config(sim, auth_mode="oidc"), env)
    assert run.returncode == 0, run.stderr
    entra = run.artifact("entra.json")
    assert entra is not None and "privileged_access" in entra  # pages and G8/G9 after the 65 s wait
    assert entra["diagnostics"]["tenant_errors"] == []
    assert len(sim.requests("login")) >= 2  # the Graph token was re-acquired
    assert len(sim.requests("github")) >= len(
        sim.requests("login")
    )  # each with a fresh GitHub token
