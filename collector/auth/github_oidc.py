"""GitHub Actions OIDC: fetch the job's ID token to use as a client assertion (contract §2.6).

The token is fetched fresh before every Entra token request (`refresh`), because GitHub ID
tokens are short-lived; azure-identity then reads the current value through `__call__`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from collector.core.errors import AuthError, NetworkError
from collector.core.json_paths import decode_object
from collector.transport.http import TransportFailure


def with_audience(url: str, audience: str) -> str:
    """Add `audience=<aud>` unless the URL already names one (GitHub's URL usually does not)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "audience" for name, _ in pairs):
        return url
    query = parts.query + ("&" if parts.query else "") + urlencode({"audience": audience})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class GitHubOidcAssertion:
    """Holds the most recent GitHub ID token; `refresh()` fetches a new one."""

    def __init__(
        self, request_url: str, request_token: str, audience: str, http: httpx.AsyncClient
    ):
        self.url = with_audience(request_url, audience)
        self._request_token = request_token
        self._http = http
        self.last: str | None = None

    def __call__(self) -> str:
        if self.last is None:
            raise AuthError("GitHub OIDC token response missing value")
        return self.last

    async def refresh(self) -> None:
        try:
            response = await self._http.get(
                self.url,
                headers={
                    "Authorization": f"Bearer {self._request_token}",
                    "Accept": "application/json",
                },
            )
        except TransportFailure as failure:
            raise NetworkError(f"GitHub OIDC token request failed: {failure.kind}") from None
        status = response.status_code
        if not 200 <= status < 300:
            error = AuthError if 400 <= status < 500 and status != 429 else NetworkError
            raise error(f"GitHub OIDC token request failed: status={status}")
        document = decode_object(response.content)
        value = document.get("value") if document is not None else None
        if not isinstance(value, str) or not value:
            raise AuthError("GitHub OIDC token response missing value")
        self.last = value
