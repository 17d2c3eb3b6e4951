"""The sockets under the HTTP stack: an httpcore network backend on plain asyncio streams.

httpcore's default backend on asyncio goes through anyio, which rebuilds a dictionary of socket
attributes (with a `getpeername` system call) every time the connection pool asks whether an
idle connection is still usable, and the pool asks for every connection on every request. On
a run of 15,000 requests that bookkeeping was a sixth of the collector's CPU (issue 8). This
backend keeps the raw socket at hand and answers the same questions directly; TLS is asyncio's
own, with the run's SSL context, exactly as before.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from typing import Any, Final

import httpcore
import httpx

STREAM_BUFFER_BYTES: Final = 1024 * 1024
_NETWORK_ERRORS = (OSError, EOFError, ssl.SSLError)


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (then TLS) connection as httpcore sees it.

    Reads and writes take no timer of their own: `GuardedTransport` bounds every attempt as a
    whole (60 s and the run's deadline, contract §7.1.2), which covers each read and write, and
    a timer per read was measurable on 15,000 requests. Connecting keeps its own 10 s limit.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return await self._reader.read(max_bytes)
        except _NETWORK_ERRORS as error:
            raise httpcore.ReadError(str(error)) from None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            await self._writer.drain()
        except _NETWORK_ERRORS as error:
            raise httpcore.WriteError(str(error)) from None

    async def aclose(self) -> None:
        self._writer.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            raise httpcore.ConnectTimeout("TLS handshake timed out") from None
        except _NETWORK_ERRORS as error:
            raise httpcore.ConnectError(str(error)) from None
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            # asyncio reads eagerly: a server that closed an idle keep-alive connection has
            # already delivered its EOF, so no system call is needed to find out.
            return self._writer.is_closing() or self._reader.at_eof()
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername"}
        if info in names:
            return self._writer.get_extra_info(names[info])
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens `AsyncioStream`s; the connect timeout is httpcore's (10 s, contract §7.1.2)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    limit=STREAM_BUFFER_BYTES,
                    local_addr=(local_address, 0) if local_address else None,
                )
        except TimeoutError:
            raise httpcore.ConnectTimeout("connect timed out") from None
        except _NETWORK_ERRORS as error:
            raise httpcore.ConnectError(str(error)) from None
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


Pool = httpcore.AsyncConnectionPool


def connection_pool(
    ssl_context: ssl.SSLContext, limits: httpx.Limits, proxy_url: str | None = None
) -> Pool:
    """A keep-alive pool on `AsyncioBackend`, through an HTTP(S) CONNECT proxy when given."""
    backend = AsyncioBackend()
    if proxy_url is None:
        return httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
    proxy = httpx.Proxy(url=proxy_url)
    return httpcore.AsyncHTTPProxy(
        proxy_url=httpcore.URL(
            scheme=proxy.url.raw_scheme,
            host=proxy.url.raw_host,
            port=proxy.url.port,
            target=proxy.url.raw_path,
        ),
        proxy_auth=proxy.raw_auth,
        proxy_headers=proxy.headers.raw,
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
