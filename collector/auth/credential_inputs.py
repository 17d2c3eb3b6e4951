"""Credential inputs: what each auth mode needs from the environment, checked before any request.

Deliberately free of SDK imports, so that a missing secret is reported in milliseconds and with
zero network requests (contract §2.6).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from collector.core.clouds import IMDS_ORIGIN
from collector.core.config import Config
from collector.core.errors import AuthError


def validate_request_url(url: str) -> None:
    """ACTIONS_ID_TOKEN_REQUEST_URL must be an absolute https URL (checked before any request)."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() == "https" and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise AuthError("ACTIONS_ID_TOKEN_REQUEST_URL must be an absolute https URL")


@dataclass(frozen=True)
class CredentialInputs:
    """What the chosen mode read from the environment; `secrets` feed the redactor."""

    mode: str
    client_secret: str | None = None
    oidc_request_url: str | None = None
    oidc_request_token: str | None = None
    federated_token_file: str | None = None
    certificate: Any = None  # collector.auth.certificates.ClientCertificate, loaded at startup
    identity_endpoints: tuple[str, ...] = ()  # managed identity: where azure-identity will ask
    secrets: tuple[str, ...] = field(default=())


def read_token_file(path: str) -> str:
    """The trimmed federated token; read at startup and again before every token request."""
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except (OSError, UnicodeDecodeError):
        raise AuthError("AZURE_FEDERATED_TOKEN_FILE could not be read or is empty") from None
    if not token:
        raise AuthError("AZURE_FEDERATED_TOKEN_FILE could not be read or is empty")
    return token


def missing(what: str, which: str = "it") -> str:
    """The message for a credential input the environment lacks, and how to pass it.

    Worded so that epack's secret redaction leaves it whole: epack masks any word such as
    `secret` or `token` followed by a long word, so those words never lead a clause here
    (contract v1.1 §V.11).
    """
    return (
        f"{what}; list {which} under secrets: in epack.yaml and set {which} in the job's "
        "environment"
    )


def load_credential_inputs(
    config: Config, environ: dict[str, str] | None = None
) -> CredentialInputs:
    """Check the mode's environment variables; raise AuthError (exit 3) naming what is missing."""
    env = os.environ if environ is None else environ
    mode = config.auth_mode
    if mode == "client_secret":
        secret = env.get("AZURE_CLIENT_SECRET", "")
        if not secret.strip():
            raise AuthError(missing("AZURE_CLIENT_SECRET is not set"))
        return CredentialInputs(mode=mode, client_secret=secret, secrets=(secret,))
    if mode == "oidc":
        url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL", "")
        token = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "")
        if not url or not token:
            raise AuthError(
                missing(
                    "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set "
                    "(GitHub Actions sets them only for a job with permissions: id-token: write)",
                    "both",
                )
            )
        validate_request_url(url)
        return CredentialInputs(
            mode=mode, oidc_request_url=url, oidc_request_token=token, secrets=(token,)
        )
    if mode == "workload_identity":
        path = env.get("AZURE_FEDERATED_TOKEN_FILE", "")
        if not path:
            raise AuthError(missing("AZURE_FEDERATED_TOKEN_FILE is not set"))
        return CredentialInputs(
            mode=mode, federated_token_file=path, secrets=(read_token_file(path),)
        )
    if mode == "certificate":
        return _certificate_inputs(env)
    return CredentialInputs(mode=mode, identity_endpoints=managed_identity_endpoints(env))


def _certificate_inputs(env: Mapping[str, str]) -> CredentialInputs:
    from collector.auth.certificates import load_certificate  # cryptography loads only in this mode

    pem_text = env.get("AZURE_CLIENT_CERTIFICATE", "")
    path = env.get("AZURE_CLIENT_CERTIFICATE_PATH", "")
    password = env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None
    if not pem_text and not path:
        raise AuthError(
            missing(
                "neither AZURE_CLIENT_CERTIFICATE nor AZURE_CLIENT_CERTIFICATE_PATH is set", "one"
            )
        )
    if pem_text:
        data = pem_text.encode("utf-8")
    else:
        try:
            data = Path(path).read_bytes()
        except OSError:
            raise AuthError("client certificate could not be loaded: file unreadable") from None
    secrets = tuple(s for s in (password, pem_text) if s)
    return CredentialInputs(
        mode="certificate", certificate=load_certificate(data, password), secrets=secrets
    )


def managed_identity_endpoints(env: Mapping[str, str]) -> tuple[str, ...]:
    """The platform endpoints azure-identity's ManagedIdentityCredential may call (§2.6)."""
    named = [env.get(name, "") for name in ("IDENTITY_ENDPOINT", "MSI_ENDPOINT", "IMDS_ENDPOINT")]
    origins = []
    for url in filter(None, named):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.hostname:
            origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(origins) or (IMDS_ORIGIN,)
