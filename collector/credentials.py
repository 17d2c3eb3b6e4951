"""Auth modes → one azure-identity credential (contract §2.6).

`load_credential_inputs` reads and checks the environment before any network call, so a missing
secret is an exit-3 error with zero requests. `build_identity_credential` then turns the inputs
into the azure-identity credential that `TokenManager` (collector.tokens) wraps and shares with
every client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import httpx
from azure.identity.aio import ClientAssertionCredential, ClientSecretCredential

from collector.azure_transport import GuardedAzureTransport
from collector.config import Config
from collector.errors import AuthError
from collector.github_oidc import GitHubOidcAssertion, validate_request_url


@dataclass(frozen=True)
class CredentialInputs:
    """What the chosen mode read from the environment; `secrets` feed the redactor."""

    mode: str
    client_secret: str | None = None
    oidc_request_url: str | None = None
    oidc_request_token: str | None = None
    federated_token_file: str | None = None
    secrets: tuple[str, ...] = field(default=())


def _read_token_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        raise AuthError("AZURE_FEDERATED_TOKEN_FILE could not be read or is empty") from None
    if not token:
        raise AuthError("AZURE_FEDERATED_TOKEN_FILE could not be read or is empty")
    return token


def load_credential_inputs(
    config: Config, environ: dict[str, str] | None = None
) -> CredentialInputs:
    """Check the mode's environment variables; raise AuthError (exit 3) naming what is missing."""
    env = os.environ if environ is None else environ
    mode = config.auth_mode
    if mode == "client_secret":
        secret = env.get("AZURE_CLIENT_SECRET", "")
        if not secret.strip():
            raise AuthError("client_secret authentication requires AZURE_CLIENT_SECRET")
        return CredentialInputs(mode=mode, client_secret=secret, secrets=(secret,))
    if mode == "oidc":
        url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL", "")
        token = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "")
        if not url or not token:
            raise AuthError(
                "oidc authentication requires ACTIONS_ID_TOKEN_REQUEST_URL and "
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
            )
        validate_request_url(url)
        return CredentialInputs(
            mode=mode, oidc_request_url=url, oidc_request_token=token, secrets=(token,)
        )
    if mode == "workload_identity":
        path = env.get("AZURE_FEDERATED_TOKEN_FILE", "")
        if not path:
            raise AuthError("workload_identity authentication requires AZURE_FEDERATED_TOKEN_FILE")
        return CredentialInputs(
            mode=mode, federated_token_file=path, secrets=(_read_token_file(path),)
        )
    raise AuthError(f"{mode} authentication is not available in this release; see CHANGELOG.md")


class FederatedTokenFile:
    """Re-reads the projected token file for every token request (tokens rotate on disk)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self.last: str | None = None

    def __call__(self) -> str:
        self.last = _read_token_file(self._path)
        return self.last


@dataclass
class IdentityCredential:
    """The azure-identity credential and the assertion source behind it (if any)."""

    credential: Any
    assertion: GitHubOidcAssertion | FederatedTokenFile | None = None
    secrets: tuple[str, ...] = field(default=())


def build_identity_credential(
    config: Config, inputs: CredentialInputs, http: httpx.AsyncClient
) -> IdentityCredential:
    """Create the azure-identity credential that sends through the shared guarded client."""
    assert config.client_id is not None, "config validation requires client_id for these modes"
    options: dict[str, Any] = {
        "authority": config.cloud.authority,
        "disable_instance_discovery": True,
        "transport": GuardedAzureTransport(http),
        "retry_total": 0,
        "permit_redirects": False,
        "logging_enable": False,
    }
    if inputs.mode == "client_secret":
        assert inputs.client_secret is not None
        secret_credential = ClientSecretCredential(
            config.tenant_id, config.client_id, inputs.client_secret, **options
        )
        return IdentityCredential(credential=secret_credential, secrets=inputs.secrets)
    assertion: GitHubOidcAssertion | FederatedTokenFile
    if inputs.mode == "oidc":
        assert inputs.oidc_request_url is not None and inputs.oidc_request_token is not None
        assertion = GitHubOidcAssertion(
            inputs.oidc_request_url, inputs.oidc_request_token, config.cloud.oidc_audience, http
        )
    else:
        assert inputs.federated_token_file is not None
        assertion = FederatedTokenFile(inputs.federated_token_file)
    credential = ClientAssertionCredential(config.tenant_id, config.client_id, assertion, **options)
    return IdentityCredential(credential=credential, assertion=assertion, secrets=inputs.secrets)
