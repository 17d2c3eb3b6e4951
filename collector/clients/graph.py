"""Microsoft Graph access: msgraph-sdk request builders and adapter, raw JSON pages.

Requests are built by msgraph-sdk's request builders (URL templates, `$select` encoding, the
national-cloud base URL) and sent by its request adapter (authentication, CAE), but responses
are decoded as plain JSON instead of SDK models. That keeps the contract's exact JSON rules
(`is true`, unknown enum values, booleans that are not numbers) and costs a fraction of the CPU
of model deserialization on large tenants. Personal fields are never kept past the page.
"""

from __future__ import annotations

import asyncio
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

from collector.clients.paging import (
    MAX_PAGES,
    JsonObject,
    NextLinks,
    SecretSource,
    error_code_and_message,
    no_secrets,
    page_cap,
    page_items,
)
from collector.core.clouds import GRAPH_VERSION_PATH, Cloud
from collector.core.json_paths import decode_object
from collector.core.outcomes import Failure, Kind, SurfaceError, is_licence_error
from collector.core.sanitize import printable_code, sanitize_route
from collector.transport.http import DeadlineExceeded, EgressRefused, TransportFailure

MAX_CONCURRENT: Final = 8
LICENCE_RETRY_DELAY_SECONDS: Final = 2.0


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
    count: bool = False  # `$count=true`: the first page carries `@odata.count`
    reporting: bool = False  # reporting APIs (G4, G13, G14) are throttled per tenant: one at a time
    counted_as: str | None = None  # long listings report their running count ("users")
    headers: tuple[tuple[str, str], ...] = ()  # e.g. G6's Prefer: include-unknown-enum-members
    # The fixed §6.6.1 route of a per-item call whose path carries an ID (G18's group ID).
    route: str | None = None

    def _with_headers(self, request: RequestInformation) -> RequestInformation:
        for name, value in self.headers:
            request.headers.try_add(name, value)
        return request

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
            "count": True if self.count else None,
        }
        parameters = parameters_class(**{k: v for k, v in options.items() if v is not None})
        request: RequestInformation = builder.to_get_request_information(
            RequestConfiguration(query_parameters=parameters)
        )
        return self._with_headers(request)

    def next_request(self, client: GraphServiceClient, url: str) -> RequestInformation:
        request: RequestInformation = (
            self.builder(client).with_url(url).to_get_request_information()
        )
        return self._with_headers(request)


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


# Told how many items a counted listing (GraphQuery.counted_as) has just read.
PageCounter = Callable[[str, int], None]


@dataclass
class GraphReader:
    """Sends Graph requests and turns every failure into a classified SurfaceError."""

    client: GraphServiceClient
    cloud: Cloud
    on_page: PageCounter | None = None
    secrets: SecretSource = no_secrets
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT))
    reports: asyncio.Lock = field(default_factory=asyncio.Lock)

    def _route(self, first_url: str, current_url: str, fixed: str | None = None) -> str:
        if fixed is not None:
            return fixed
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
                raise SurfaceError(Failure.deadline()) from None
            except EgressRefused:
                raise SurfaceError(Failure.of(Kind.EGRESS, "graph", route)) from None
            except TransportFailure as failure:
                raise SurfaceError(failure.as_failure("graph", route)) from None
            status = response.status_code
            if 200 <= status < 300:
                document = decode_object(response.content)
                if document is None:
                    raise SurfaceError(Failure.of(Kind.DECODE, "graph", route))
                return document
            code, message = error_code_and_message(response.content)
            if licence_applies and is_licence_error(code, message, response.content):
                if not licence_retried:
                    licence_retried = True
                    await asyncio.sleep(LICENCE_RETRY_DELAY_SECONDS)
                    continue
                cause = "licence"
            elif status == 403:
                cause = "permission"
            elif status == 404 and (not_found_is_cause or self.cloud.graph_404_means_not_offered):
                cause = "not_found"
            else:
                cause = "error"
            printed = printable_code(code, self.secrets())
            raise SurfaceError(Failure.http(cause, "graph", route, status, printed))

    async def get_object(
        self, query: GraphQuery, not_found_is_cause: bool = False, licence_applies: bool = True
    ) -> JsonObject:
        """One request, one JSON object (single resources, and first-page-only listings)."""
        url = query.request(self.client).url
        route = self._route(url, url, query.route)
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
        route = self._route(url, url, query.route)
        document = await self._send_classified(
            lambda: query.request(self.client), route, not_found_is_cause
        )
        return page_items(document, "graph", route)

    async def pages(self, query: GraphQuery) -> AsyncIterator[list[JsonObject]]:
        """Yield each page's `value` objects, following `@odata.nextLink` with §7.1.4 guards."""
        first_url = query.request(self.client).url
        current_url = first_url
        links = NextLinks("graph", self.cloud.graph, GRAPH_VERSION_PATH)
        links.seen(first_url)
        next_link: str | None = None
        for _ in range(MAX_PAGES):
            route = self._route(first_url, current_url, query.route)
            factory = partial(self._page_request, query, next_link)
            document = await self._send_classified(factory, route, False, reporting=query.reporting)
            items = page_items(document, "graph", route)
            if query.counted_as and self.on_page is not None:
                self.on_page(query.counted_as, len(items))
            yield items
            candidate = document.get("@odata.nextLink")
            if not isinstance(candidate, str) or not candidate:
                return
            links.check(candidate, route)
            next_link = candidate
            current_url = candidate
        raise page_cap("graph", route)
