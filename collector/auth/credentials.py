"""Auth modes → one azure-identity credential (contract §2.6).

`build_identity_credential` turns checked inputs (collector.auth.credential_inputs) into the
azure-identity credential that `TokenManager` (collector.auth.tokens) wraps and shares with every
client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from azure.identity.aio import (
    ClientAssertionCredential,
    ClientSecretCredential,
    ManagedIdentityCredential,
)

from collector.auth.certificates import CertificateAssertion
from collector.auth.credential_inputs import CredentialInputs, read_token_file
from collector.auth.github_oidc import GitHubOidcAssertion
from collector.core.clouds import TOKEN_PATH
from collector.core.config import Config
from collector.core.json_paths import decode_object
from collector.transport.azure_core import GuardedAzureTransport, with_body

DEFAULT_LIFETIME_SECONDS = 3600  # §2.8: a token response without a usable lifetime


class FederatedTokenFile:
    """Re-reads the projected token file for every token request (tokens rotate on disk)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self.last: str | None = None

    def __call__(self) -> str:
        self.last = read_token_file(self._path)
        return self.last


@dataclass
class IdentityCredential:
    """The azure-identity credential and the assertion source behind it (if any)."""

    credential: Any
    assertion: GitHubOidcAssertion | FederatedTokenFile | CertificateAssertion | None = None
    secrets: tuple[str, ...] = field(default=())


def build_identity_credential(
    config: Config,
    inputs: CredentialInputs,
    http: httpx.AsyncClient,
    transport: httpx.AsyncBaseTransport,
) -> IdentityCredential:
    """Create the azure-identity credential that sends through the shared guarded transport."""
    options: dict[str, Any] = {
        "authority": config.cloud.authority,
        "disable_instance_discovery": True,
        "transport": TokenEndpointTransport(transport),
        "retry_total": 0,
        "permit_redirects": False,
        "logging_enable": False,
    }
    client_id = config.client_id or ""  # validation requires it for every mode but managed_identity
    if inputs.mode == "client_secret":
        assert inputs.client_secret is not None
        secret_credential = ClientSecretCredential(
            config.tenant_id, client_id, inputs.client_secret, **options
        )
        return IdentityCredential(credential=secret_credential, secrets=inputs.secrets)
    if inputs.mode == "managed_identity":
        managed = ManagedIdentityCredential(
            client_id=config.client_id,
            transport=options["transport"],
            retry_total=0,
            logging_enable=False,
        )
        return IdentityCredential(credential=managed)
    assertion: GitHubOidcAssertion | FederatedTokenFile | CertificateAssertion
    if inputs.mode == "certificate":
        token_endpoint = config.cloud.token_endpoint(config.tenant_id)
        assertion = CertificateAssertion(inputs.certificate, client_id, token_endpoint)
    elif inputs.mode == "oidc":
        assert inputs.oidc_request_url is not None and inputs.oidc_request_token is not None
        assertion = GitHubOidcAssertion(
            inputs.oidc_request_url, inputs.oidc_request_token, config.cloud.oidc_audience, http
        )
    else:
        assert inputs.federated_token_file is not None
        assertion = FederatedTokenFile(inputs.federated_token_file)
    credential = ClientAssertionCredential(config.tenant_id, client_id, assertion, **options)
    return IdentityCredential(credential=credential, assertion=assertion, secrets=inputs.secrets)


class TokenEndpointTransport(GuardedAzureTransport):
    """The credential's transport: the token endpoint's answers read as contract §2.8 says.

    azure-identity rejects a token response without a usable `expires_in`, and parses an error
    body before looking at the status; the credential stays azure-identity's, and this layer
    makes the response what the contract reads: a missing or non-integer lifetime is 3600 s,
    and an error without a JSON object body reaches azure-identity as its bare status.
    """

    def adjust(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(TOKEN_PATH):
            document = decode_object(response.content)
            if 200 <= response.status_code < 300 and document is not None:
                lifetime = document.get("expires_in")
                if not _whole_seconds(lifetime):
                    body = json.dumps({**document, "expires_in": DEFAULT_LIFETIME_SECONDS})
                    return with_body(response, body.encode())
        return super().adjust(request, response)


def _whole_seconds(value: Any) -> bool:
    """An integer number of seconds (also as digits in a string, as some endpoints send)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.strip().isdigit()
