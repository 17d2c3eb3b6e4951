"""Microsoft Graph access: msgraph-sdk request builders and adapter, raw JSON pages.

Requests are built by msgraph-sdk's request builders (URL templates, `$select` encoding, the
national-cloud base URL) and sent by its request adapter (authentication, CAE), but responses
are decoded as plain JSON instead of SDK models. That keeps the contract's exact JSON rules
(`is true`, unknown enum values, booleans that are not numbers) and costs a fraction of the CPU
of model deserialization on large tenants. Personal fields are never kept past the page.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_information import RequestInformation
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from opentelemetry import trace

from collector.core.clouds import Cloud
from collector.core.outcomes import (
    Failure,
    SurfaceError,
    http_failure_text,
    is_licence_error,
    kind_failure_text,
)
from collector.core.sanitize import sanitize_route
from collector.transport.http import DeadlineExceeded, EgressRefused, TransportFailure, origin_of

MAX_PAGES: Final = 10_000
MAX_CONCURRENT: Final = 4
# National clouds do not offer every Graph API; there a 404 means "not offered here" and is
# reported as such (issue 9), not as a failed request. Elsewhere only G12 treats 404 so (§6.2).
NATIONAL_CLOUDS: Final = frozenset({"AzureUSGovernment", "AzureChinaCloud"})
LICENCE_RETRY_DELAY_SECONDS: Final = 2.0
_CODE_RE: Final = re.compile(r"[A-Za-z0-9_.:-]{1,100}")

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class GraphQuery:
    """One Graph call: the msgraph-sdk request builder to use and its query options.

    The SDK builds the URL (template, encoding, base URL of the cloud); the query options map
    to the builder's own `...GetQueryParameters` class, so only options the SDK knows are sent.
    """

    builder: Callable[[GraphServiceClient], Any]
    select: tuple[str, ...] = ()
    top: int | None = None
    filter: str | None = None
    expand: tuple[str, ...] = ()
    orderby: tuple[str, ...] = ()
    reporting: bool = False  # reporting APIs (G4, G13, G14) are throttled per tenant: one at a time

    def request(self, client: GraphServiceClient) -> RequestInformation:
        builder = self.builder(client)
        parameters_class = next(
            value
            for name, value in vars(type(builder)).items()
            if name.endswith("GetQueryParameters")
        )
        options: dict[str, Any] = {
            "select": list(self.select) or None,
            "top": self.top,
            "filter": self.filter,
            "expand": list(self.expand) or None,
            "orderby": list(self.orderby) or None,
        }
        parameters = parameters_class(**{k: v for k, v in options.items() if v is not None})
        request: RequestInformation = builder.to_get_request_information(
            RequestConfiguration(query_parameters=parameters)
        )
        return request

    def next_request(self, client: GraphServiceClient, url: str) -> RequestInformation:
        request: RequestInformation = (
            self.builder(client).with_url(url).to_get_request_information()
        )
        return request


def error_code_and_message(body: bytes) -> tuple[str, str]:
    """`error.code` (only when it is a safe token) and `error.message` of a Microsoft error body."""
    try:
        document = json.loads(body)
    except ValueError:
        return "", ""
    error = document.get("error") if isinstance(document, dict) else None
    if not isinstance(error, dict):
        return "", ""
    code = error.get("code")
    message = error.get("message")
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def _page_items(document: JsonObject, route: str) -> list[JsonObject]:
    """A list page's objects; absent/null `value` is an empty page, any other non-list fails."""
    value = document.get("value")
    if value is not None and not isinstance(value, list):
        raise SurfaceError(
            Failure("error", kind_failure_text("graph", route, "invalid JSON response"))
        )
    return [item for item in value or () if isinstance(item, dict)]


def safe_code(code: str) -> str | None:
    return code if _CODE_RE.fullmatch(code) else None


def decode_object(body: bytes) -> JsonObject | None:
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def build_graph_client(
    cloud: Cloud, credential: Any, http: httpx.AsyncClient
) -> GraphServiceClient:
    """A GraphServiceClient bound to the cloud's Graph origin and the shared guarded client."""
    host = urlsplit(cloud.graph).hostname or ""
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=[cloud.graph_scope], allowed_hosts=[host]
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = cloud.graph_base
    return GraphServiceClient(request_adapter=adapter)


@dataclass
class GraphReader:
    """Sends Graph requests and turns every failure into a classified SurfaceError."""

    client: GraphServiceClient
    cloud: Cloud
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT))
    reports: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _route(self, first_url: str, current_url: str) -> str:
        path = urlsplit(first_url).path
        base = urlsplit(self.cloud.graph_base).path
        relative = path[len(base) :] if path.startswith(base) else path
        return sanitize_route(relative, urlsplit(current_url).query)

    async def _send(self, request: RequestInformation, reporting: bool) -> httpx.Response:
        # The adapter's own send path authenticates (and handles CAE claims) but returns the raw
        # response, so the body is decoded once, as JSON, by this module.
        adapter: Any = self.client.request_adapter
        async with self.slots:
            if not reporting:
                response: httpx.Response = await adapter.get_http_response_message(
                    request, trace.INVALID_SPAN
                )
                return response
            async with self.reports:
                response = await adapter.get_http_response_message(request, trace.INVALID_SPAN)
                return response

    async def _send_classified(
        self,
        request_for: Callable[[], RequestInformation],
        route: str,
        not_found_is_cause: bool,
        licence_applies: bool = True,
        reporting: bool = False,
    ) -> JsonObject:
        licence_retried = False
        while True:
            try:
                response = await self._send(request_for(), reporting)
            except DeadlineExceeded:
                raise SurfaceError(Failure("deadline", "deadline exceeded")) from None
            except EgressRefused:
                kind = "cross-origin next link refused"
                raise SurfaceError(
                    Failure("error", kind_failure_text("graph", route, kind))
                ) from None
            except TransportFailure as failure:
                text = kind_failure_text("graph", route, failure.kind)
                raise SurfaceError(Failure("error", text)) from None
            status = response.status_code
            if 200 <= status < 300:
                document = decode_object(response.content)
                if document is None:
                    text = kind_failure_text("graph", route, "invalid JSON response")
                    raise SurfaceError(Failure("error", text))
                return document
            code, message = error_code_and_message(response.content)
            text = http_failure_text("graph", route, status, safe_code(code))
            if licence_applies and is_licence_error(code, message, response.content):
                if not licence_retried:
                    licence_retried = True
                    await asyncio.sleep(LICENCE_RETRY_DELAY_SECONDS)
                    continue
                raise SurfaceError(Failure("licence", text, status))
            if status == 403:
                raise SurfaceError(Failure("permission", text, status))
            if status == 404 and (not_found_is_cause or self.cloud.name in NATIONAL_CLOUDS):
                raise SurfaceError(Failure("not_found", text, status))
            raise SurfaceError(Failure("error", text, status))

    async def get_object(
        self, query: GraphQuery, not_found_is_cause: bool = False, licence_applies: bool = True
    ) -> JsonObject:
        """One request, one JSON object (single resources, and first-page-only listings)."""
        url = query.request(self.client).url
        route = self._route(url, url)
        return await self._send_classified(
            lambda: query.request(self.client), route, not_found_is_cause, licence_applies
        )

    def _page_request(self, query: GraphQuery, link: str | None) -> RequestInformation:
        return query.request(self.client) if link is None else query.next_request(self.client, link)

    async def first_page(
        self, query: GraphQuery, not_found_is_cause: bool = False
    ) -> list[JsonObject]:
        """The `value` objects of the first page only (the next link is never followed)."""
        url = query.request(self.client).url
        route = self._route(url, url)
        document = await self._send_classified(
            lambda: query.request(self.client), route, not_found_is_cause
        )
        return _page_items(document, route)

    async def pages(self, query: GraphQuery) -> AsyncIterator[list[JsonObject]]:
        """Yield each page's `value` objects, following `@odata.nextLink` with §7.1.4 guards."""
        first_url = query.request(self.client).url
        current_url = first_url
        requested = {first_url}
        next_link: str | None = None
        for _ in range(MAX_PAGES):
            route = self._route(first_url, current_url)
            factory = partial(self._page_request, query, next_link)
            document = await self._send_classified(factory, route, False, reporting=query.reporting)
            yield _page_items(document, route)
            candidate = document.get("@odata.nextLink")
            if not isinstance(candidate, str) or not candidate:
                return
            self._check_next_link(candidate, route, requested)
            requested.add(candidate)
            next_link = candidate
            current_url = candidate
        raise SurfaceError(
            Failure("error", kind_failure_text("graph", route, "page limit exceeded"))
        )

    def _check_next_link(self, link: str, route: str, requested: set[str]) -> None:
        try:
            parts = urlsplit(link)
            same_origin = parts.scheme.lower() == "https" and origin_of(link) == origin_of(
                self.cloud.graph
            )
        except ValueError:
            same_origin = False
        if not same_origin:
            kind = "cross-origin next link refused"
            raise SurfaceError(Failure("error", kind_failure_text("graph", route, kind)))
        segments = [segment.lower() for segment in parts.path.split("/")]
        if not parts.path.startswith("/v1.0/") or "beta" in segments:
            kind = "beta endpoint refused"
            raise SurfaceError(Failure("error", kind_failure_text("graph", route, kind)))
        if link in requested:
            kind = "paging loop detected"
            raise SurfaceError(Failure("error", kind_failure_text("graph", route, kind)))
