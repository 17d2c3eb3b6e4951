"""Azure Resource Manager access: azure-mgmt clients on the shared guarded transport.

Every client gets an explicit policy list: bearer auth with the shared credential, headers,
and nothing else. The SDK defaults that would break the contract are left out
on purpose: retries and redirects (the transport owns retries; redirects are never followed),
automatic resource-provider registration (a write), and HTTP logging.

Requests are built by each SDK's own request builders (URL templates, api-versions, query
encoding) and sent through the client's own pipeline; responses are read as raw JSON, never
through the SDK's models, which coerce `"true"` to True and fail a whole page on one odd value.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from azure.core.pipeline import policies
from azure.core.rest import HttpRequest

from collector.clients.paging import (
    MAX_PAGES,
    JsonObject,
    NextLinks,
    SecretSource,
    no_secrets,
    page_cap,
    page_items,
)
from collector.core.clouds import Cloud
from collector.core.errors import FatalError
from collector.core.json_paths import decode_object
from collector.core.outcomes import Failure, Kind, SurfaceError
from collector.core.sanitize import printable_code, sanitize_route
from collector.transport.azure_core import GuardedAzureTransport
from collector.transport.http import DeadlineExceeded, EgressRefused, TransportFailure

T = TypeVar("T")
MISSING_REGISTRATION: Final = "missingsubscriptionregistration"


@dataclass
class ArmClients:
    """Builds azure-mgmt clients that all share one credential and one HTTP transport."""

    cloud: Cloud
    credential: Any
    transport: httpx.AsyncBaseTransport

    def policies(self) -> list[Any]:
        """Headers and bearer auth only: bodies are read as raw JSON by `ArmScope.send`, so
        the pipeline's own content decoding (a second parse, which also raised on bodies
        nested too deeply) is left out."""
        return [
            policies.HeadersPolicy({"Accept": "application/json"}),
            policies.AsyncBearerTokenCredentialPolicy(self.credential, self.cloud.arm_scope),
        ]

    def create(self, client_class: Callable[..., T], *args: Any) -> T:
        return client_class(
            self.credential,
            *args,
            base_url=self.cloud.resource_manager,
            credential_scopes=[self.cloud.arm_scope],
            policies=self.policies(),
            transport=GuardedAzureTransport(self.transport),
        )


@dataclass(frozen=True)
class ArmRoute:
    """The sanitized path of a listing's first request and its query (for error texts)."""

    path: str
    query: str = "api-version"

    @staticmethod
    def of(path: str) -> ArmRoute:
        return ArmRoute(sanitize_route(path, None))

    def text(self, query: str | None = None) -> str:
        return sanitize_route(self.path, None) + sanitize_route("", query or self.query)


def classify_arm_error(error: BaseException, route: str) -> Failure:
    """A request that produced no HTTP response: deadline, refused egress, transport."""
    if isinstance(error, DeadlineExceeded):
        return Failure.deadline()
    if isinstance(error, EgressRefused):
        return Failure.of(Kind.EGRESS, "arm", route)
    if isinstance(error, TransportFailure):
        return error.as_failure("arm", route)
    return Failure.of(Kind.TRANSPORT, "arm", route, "connection error")


def status_failure(status: int, body: bytes, route: str, secrets: SecretSource) -> Failure:
    """An ARM error status, classified on the status first (§6.2); the body gives only the
    code (for 409's `MissingSubscriptionRegistration`, and to print when it is plausible)."""
    error = (decode_object(body) or {}).get("error")
    raw = error.get("code") if isinstance(error, dict) else None
    raw_code = raw if isinstance(raw, str) else ""
    if status == 403:
        cause = "permission"
    elif status == 404:
        cause = "not_found"
    elif status == 409 and raw_code.lower() == MISSING_REGISTRATION:
        cause = "not_registered"
    else:
        cause = "error"
    return Failure.http(cause, "arm", route, status, printable_code(raw_code, secrets()))


def next_page(link: str, first: HttpRequest) -> HttpRequest:
    """The request for a next link: as given, with the first request's api-version when the
    link does not carry one (some ARM services leave it out)."""
    query = parse_qs(urlsplit(link).query)
    if "api-version" not in query:
        version = parse_qs(urlsplit(first.url).query).get("api-version")
        if version:
            separator = "&" if urlsplit(link).query else "?"
            link = f"{link}{separator}{urlencode({'api-version': version[0]})}"
    return HttpRequest("GET", link, headers={"Accept": "application/json"})


class ArmScope:
    """Concurrency bounds for one subscription: 8 requests at once, 16 across the run."""

    def __init__(
        self,
        run_slots: asyncio.Semaphore,
        per_subscription: int = 8,
        secrets: SecretSource = no_secrets,
    ) -> None:
        self._run = run_slots
        self._own = asyncio.Semaphore(per_subscription)
        self._secrets = secrets

    async def send(self, client: Any, request: HttpRequest, route: ArmRoute) -> JsonObject:
        """One ARM request through the azure-mgmt client's own pipeline (its auth, headers and
        policies), read as raw JSON: "is true" means the JSON literal, a number is a JSON
        number, and one odd property never fails a whole surface (§0, §4.4)."""
        text = route.text(urlsplit(request.url).query)
        try:
            async with self._own, self._run:
                # `_client` is the client's azure-core pipeline client; multi-API clients
                # have no public `send_request`, and the URL is already absolute.
                response = await client._client.send_request(request)
                body: bytes = response.content
        except (SurfaceError, FatalError):
            raise
        except Exception as error:
            raise SurfaceError(classify_arm_error(error, text)) from None
        if response.status_code >= 400:
            raise SurfaceError(status_failure(response.status_code, body, text, self._secrets))
        document = decode_object(body)
        if document is None:
            raise SurfaceError(Failure.of(Kind.DECODE, "arm", text))
        return document

    async def pages(
        self, client: Any, first: HttpRequest, route: ArmRoute, origin: str, within: str
    ) -> AsyncIterator[list[JsonObject]]:
        """Each page of a listing as JSON objects, with the next-link guards of §7.1.4; next
        links must also stay under `within` (the listing's `/subscriptions/{id}`)."""
        links = NextLinks("arm", origin, within=within)
        request = first
        for _ in range(MAX_PAGES):
            document = await self.send(client, request, route)
            yield page_items(document, "arm", route.text(urlsplit(request.url).query))
            link = document.get("nextLink")
            if not isinstance(link, str) or not link:
                return
            links.check(link, route.text())
            request = next_page(link, first)
        raise page_cap("arm", route.text())
