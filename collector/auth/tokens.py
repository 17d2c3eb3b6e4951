"""The single credential shared by every client: caching, claim checks, fatal error mapping.

azure-identity speaks the token protocol; this wrapper adds what the contract requires on top
(§2.8): one token per scope reused until five minutes before expiry, app-only and tenant claim
checks, exit-code classification of token endpoint failures, and a scrubbed one-line message.
A failure here is always fatal, including a refresh in the middle of a run.
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.identity import CredentialUnavailableError

from collector.auth.credentials import IdentityCredential
from collector.auth.github_oidc import GitHubOidcAssertion
from collector.core.config import Config
from collector.core.errors import AuthError, FatalError, NetworkError
from collector.core.json_paths import decode_object
from collector.core.sanitize import redact_secrets, scrub_free_text
from collector.transport.http import TransportFailure

REFRESH_MARGIN_SECONDS = 300
_FEDERATED_MISMATCH_CODES = frozenset({70021, 700213, 7002138})
_ERROR_NAME_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-")


def jwt_claims(token: str) -> dict[str, Any] | None:
    """Unverified payload of a three-segment JWT, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        payload = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (ValueError, UnicodeError):
        return None
    return decode_object(payload)


def _printable(value: Any) -> str:
    if isinstance(value, list):
        value = ",".join(item for item in value if isinstance(item, str))
    text = value if isinstance(value, str) else ""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)[:200]


class TokenManager:
    """An AsyncTokenCredential for Graph and ARM that never lets a bad token through."""

    def __init__(self, config: Config, identity: IdentityCredential) -> None:
        self._config = config
        self._identity = identity
        self._labels = {config.cloud.graph_scope: "graph", config.cloud.arm_scope: "arm"}
        self._tokens: dict[str, AccessToken] = {}
        self._lock = asyncio.Lock()
        self.issued: list[str] = []
        # The latest token's unverified claims per audience ("graph", "arm"); None when the
        # token is not a decodable JWT. Read for diagnostics.permissions, never printed.
        self.claims: dict[str, dict[str, Any] | None] = {}

    def known_secrets(self) -> list[str]:
        """Every secret value this run has seen, for the stderr scrubber."""
        assertion = self._identity.assertion
        extra = [assertion.last] if assertion is not None and assertion.last else []
        return [*self._identity.secrets, *self.issued, *extra]

    async def get_token(self, *scopes: str, claims: str | None = None, **_: Any) -> AccessToken:
        """The cached token for the scope, or a new one; always a new one for a Continuous
        Access Evaluation claims challenge (`claims`), which the cached token just failed."""
        scope = scopes[0]
        async with self._lock:
            cached = self._tokens.get(scope)
            fresh = cached is not None and cached.expires_on - time.time() > REFRESH_MARGIN_SECONDS
            if fresh and not claims:
                assert cached is not None
                return cached
            token = await self._acquire(scope, claims)
            self._tokens[scope] = token
            return token

    async def acquire_initial(self, need_arm: bool) -> None:
        """Graph first, then ARM when subscriptions are configured (§2.8 order)."""
        await self.get_token(self._config.cloud.graph_scope)
        if need_arm:
            await self.get_token(self._config.cloud.arm_scope)

    async def _acquire(self, scope: str, claims: str | None = None) -> AccessToken:
        label = self._labels.get(scope, "graph")
        if isinstance(self._identity.assertion, GitHubOidcAssertion):
            await self._identity.assertion.refresh()
        try:
            options: dict[str, Any] = {"claims": claims} if claims else {}
            token = await self._identity.credential.get_token_info(scope, options=options)
        except FatalError:
            raise
        except TransportFailure as failure:
            raise NetworkError(f"token request for {label} failed: {failure.kind}") from None
        except CredentialUnavailableError:
            # managed identity: no endpoint answered (not on Azure, or the identity is missing)
            raise NetworkError(f"token request for {label} failed: connection error") from None
        except Exception as exc:  # azure-identity raises several unrelated types
            raise self._classify(label, exc) from None
        access_token = getattr(token, "token", None)
        token_type = getattr(token, "token_type", "") or ""
        if (
            not isinstance(access_token, str)
            or not access_token
            or token_type.lower() not in ("", "bearer")
        ):
            raise AuthError(f"token response for {label} is invalid")
        self.issued.append(access_token)
        self._check_claims(label, access_token)
        self.claims[label] = jwt_claims(access_token)
        expires_on = int(token.expires_on)
        if expires_on <= int(time.time()):
            expires_on = int(time.time()) + 3600
        return AccessToken(access_token, expires_on)

    def _check_claims(self, label: str, token: str) -> None:
        claims = jwt_claims(token)
        if claims is None:
            return
        if claims.get("scp"):
            raise AuthError(
                "delegated tokens are not supported; use an application (app-only) credential"
            )
        tid = claims.get("tid")
        if tid is not None and (
            not isinstance(tid, str) or tid.lower() != self._config.tenant_id.lower()
        ):
            raise AuthError("access token was issued for a different tenant than tenant_id")
        roles = claims.get("roles")
        if label == "graph" and (not isinstance(roles, list) or not roles):
            raise AuthError(
                "Microsoft Graph token carries no application permissions; grant the Graph "
                "application permissions and admin consent"
            )

    def _classify(self, label: str, exc: Exception) -> FatalError:
        response = getattr(exc, "response", None)
        status = getattr(response, "status_code", None)
        if not isinstance(status, int):
            return AuthError(f"token response for {label} is invalid")
        if 200 <= status < 300:
            return AuthError(f"token response for {label} is invalid")
        body = _json_body(response)
        message = f"token request for {label} failed: status={status}"
        error = body.get("error")
        if isinstance(error, str) and 1 <= len(error) <= 100 and set(error) <= _ERROR_NAME_CHARS:
            message += f" error={error}"
        codes = body.get("error_codes")
        first_code = codes[0] if isinstance(codes, list) and codes else None
        if isinstance(first_code, int) and not isinstance(first_code, bool):
            message += f" AADSTS{first_code}"
        description = body.get("error_description")
        # every secret (each of its lines, each fragment) goes before the text is cut to a line
        visible = (
            redact_secrets(description, self.known_secrets())
            if isinstance(description, str)
            else ""
        )
        first_line = visible.splitlines()[0] if visible else ""
        scrubbed = scrub_free_text(first_line, self.known_secrets(), self._allowed_guids())
        if scrubbed:
            message += f": {scrubbed}"
        kind = AuthError if 400 <= status < 500 and status != 429 else NetworkError
        return kind(message, hint=self._federated_hint(codes, description))

    def _allowed_guids(self) -> list[str]:
        ids = [self._config.tenant_id, *self._config.subscription_ids]
        return ids + ([self._config.client_id] if self._config.client_id else [])

    def _federated_hint(self, codes: Any, description: Any) -> str | None:
        if self._config.auth_mode not in ("oidc", "workload_identity"):
            return None
        code_set = {c for c in codes if isinstance(c, int)} if isinstance(codes, list) else set()
        text = description.lower() if isinstance(description, str) else ""
        if not (
            code_set & _FEDERATED_MISMATCH_CODES or "no matching federated identity record" in text
        ):
            return None
        assertion = self._identity.assertion
        claims = jwt_claims(assertion.last) if assertion is not None and assertion.last else None
        claims = claims or {}
        return (
            f"hint: the federated assertion has iss={_printable(claims.get('iss'))} "
            f"sub={_printable(claims.get('sub'))} aud={_printable(claims.get('aud'))}; the app "
            "registration has no federated credential whose issuer, subject and audience match "
            "exactly (subject matching is case-sensitive; a GitHub credential for one branch does "
            "not match pull-request or environment subjects)"
        )

    async def close(self) -> None:
        await self._identity.credential.close()

    async def __aenter__(self) -> TokenManager:
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.close()


def _json_body(response: Any) -> dict[str, Any]:
    try:
        text = response.text()
    except Exception:  # an undecodable error body carries nothing we may print anyway
        return {}
    return (decode_object(text) if text else None) or {}
