"""Credential inputs: what each auth mode needs from the environment, checked before any request.

Deliberately free of SDK imports, so that a missing secret is reported in milliseconds and with
zero network requests (contract §2.6).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from collector.config import Config
from collector.errors import AuthError


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


def read_token_file(path: str) -> str:
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
            mode=mode, federated_token_file=path, secrets=(read_token_file(path),)
        )
    raise AuthError(f"{mode} authentication is not available in this release; see CHANGELOG.md")
