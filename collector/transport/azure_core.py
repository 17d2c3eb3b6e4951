"""An azure-core async transport that sends through the shared guarded transport.

azure-core's own transports bring their own HTTP stacks (requests, aiohttp) with their own TLS
and proxy rules; this adapter lets azure-identity and every azure-mgmt client use the single
`collector.transport.http.GuardedTransport` instead. It hands requests straight to that transport,
without httpx's client layer (cookies, auth and redirect hooks): an azure-core pipeline sets
every header itself, and on a 15,000-request run the client layer was measurable CPU (issue 8).
Bodies are already fully read (and capped) by the guarded transport, so responses are served
from memory.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import urlencode

import httpx
from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl

from collector.core.json_paths import decode_object
from collector.transport.http import DEFAULT_HEADERS, REQUEST_TIMEOUT, TransportFailure


class _BufferedResponse(AsyncHttpResponseImpl):
    def __init__(self, request: Any, response: httpx.Response) -> None:
        super().__init__(
            request=request,
            internal_response=response,
            status_code=response.status_code,
            headers=response.headers,
            reason=response.reason_phrase,
            content_type=response.headers.get("content-type"),
            stream_download_generator=_single_chunk,
        )
        self._content = response.content

    def body(self) -> bytes:
        return response_bytes(self._content)

    async def load_body(self) -> None:
        return None


def response_bytes(content: bytes | None) -> bytes:
    return content if content is not None else b""


def _single_chunk(pipeline: Any, response: _BufferedResponse, **_: Any) -> AsyncIterator[bytes]:
    async def chunks() -> AsyncIterator[bytes]:
        yield response.body()

    return chunks()


def _encode_body(content: Any) -> bytes | None:
    if content is None:
        return None
    if isinstance(content, dict):
        return urlencode(content).encode("ascii")
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, bytes | bytearray):
        return bytes(content)
    raise TypeError("unsupported request body type")


class GuardedAzureTransport(AsyncHttpTransport):  # type: ignore[type-arg]
    """azure-core transport over a shared transport it does not own (never closes it)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def send(self, request: Any, **kwargs: Any) -> _BufferedResponse:
        body = _encode_body(request.content if hasattr(request, "content") else request.data)
        headers = {**DEFAULT_HEADERS, **dict(request.headers.items())}
        if body is None and request.method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = "0"
        outgoing = httpx.Request(
            request.method,
            request.url,
            headers=headers,
            content=body,
            extensions={"timeout": REQUEST_TIMEOUT.as_dict()},
        )
        response = await self._transport.handle_async_request(outgoing)
        return _BufferedResponse(request, self.adjust(outgoing, response))

    def adjust(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        """An error status decides the cause before any body is read (§6.2): an error body
        that is not a JSON object (HTML, a JSON array, nesting too deep for any parser) is
        dropped here, so the SDK raises on the status alone instead of failing to parse it."""
        if response.status_code >= 400 and decode_object(response.content) is None:
            return with_body(response, b"")
        if 200 <= response.status_code < 300 and _not_a_list_page(response.content):
            raise TransportFailure("invalid JSON response")
        return response

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> GuardedAzureTransport:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


def with_body(response: httpx.Response, content: bytes) -> httpx.Response:
    return httpx.Response(
        response.status_code,
        headers=[(k, v) for k, v in response.headers.items() if k.lower() != "content-length"],
        content=content,
        request=response.request,
    )


_VALUE_NOT_A_LIST: Final = re.compile(rb'"value"\s*:\s*(?!\[)')


def _not_a_list_page(body: bytes) -> bool:
    """A page whose top-level `value` is there but not a list (§7.1.4): a string, a number,
    null. The SDK's pagers would count it as an empty page, a wrong number presented as
    evidence. A cheap scan first; the body is parsed only when a `value` is not followed by `[`."""
    if not _VALUE_NOT_A_LIST.search(body):
        return False
    document = decode_object(body)
    return document is not None and "value" in document and not isinstance(document["value"], list)
