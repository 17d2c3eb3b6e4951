"""The one HTTP stack under every client: TLS trust, proxies, egress allowlist, retries, caps.

msgraph-sdk (Kiota), every azure-mgmt client, azure-identity and the GitHub OIDC fetch all send
through one `httpx.AsyncClient` whose transport is `GuardedTransport`. Putting the policy at the
transport means it cannot be bypassed by an SDK default: the SDKs' own retry and redirect
policies are switched off, and this layer applies contract §7.1 once for everything.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import os
import random
import ssl
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import certifi
import httpcore
import httpx

from collector._version import __version__
from collector.core.clouds import origin_of
from collector.core.errors import NetworkError
from collector.core.outcomes import Failure, Kind, Service
from collector.transport.network import Pool, connection_pool
from collector.transport.pacing import Pacer, throttling_scope

USER_AGENT: Final = f"epack-collector-microsoft-cloud/{__version__}"
MAX_ATTEMPTS: Final = 5
RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_CAP_SECONDS: Final = 60.0
ATTEMPT_TIMEOUT_SECONDS: Final = 60.0
CONNECT_TIMEOUT_SECONDS: Final = 10.0
MAX_BODY_BYTES: Final = 32 * 1024 * 1024
NOT_RETRIED: Final = frozenset({"response too large", "invalid JSON response"})
# Small keep-alive pools: httpcore's pool does work quadratic in its connection count on every
# request (measured at a tenth of the CPU with one 20-connection pool for ARM, issue 8), so
# each origin gets several pools of at most 8 connections, and a request goes to its throttling
# scope's pool: Graph reporting and directory apart, ARM subscriptions spread over 4 pools.
POOL_LIMITS: Final = httpx.Limits(max_connections=8, max_keepalive_connections=8)
ARM_POOL_SHARDS: Final = 4
REQUEST_TIMEOUT: Final = httpx.Timeout(ATTEMPT_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
DEFAULT_HEADERS: Final = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
}


class TransportFailure(Exception):
    """A request that produced no usable HTTP response; `kind` is a contract §6.5 kind."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

    def as_failure(self, service: Service, route: str) -> Failure:
        """The surface failure this became for a request to `route`."""
        if self.kind == "invalid JSON response":  # an undecodable compressed body
            return Failure.of(Kind.DECODE, service, route)
        return Failure.of(Kind.TRANSPORT, service, route, self.kind)


class EgressRefused(TransportFailure):
    """A request to a host, scheme or method outside the run's allowlist (never sent)."""

    def __init__(self) -> None:
        super().__init__("egress refused")


class DeadlineExceeded(Exception):
    """The run's soft deadline arrived before this request could complete."""


@dataclass(frozen=True)
class EgressRule:
    """An allowed origin and, for it, the paths that may be POSTed to (reads only)."""

    origin: str
    post_path_suffixes: tuple[str, ...] = ()
    allow_get: bool = True


@dataclass
class TransportStats:
    """Counters a benchmark or test can read after a run (no URLs or bodies are kept)."""

    requests: int = 0
    retries: int = 0
    bytes_received: int = 0
    by_origin: Counter[str] = field(default_factory=Counter)


def build_ssl_context(environ: dict[str, str] | None = None) -> ssl.SSLContext:
    """Trust SSL_CERT_FILE / SSL_CERT_DIR when set (as epack passes them), else system + certifi.

    Explicit loading matters because a frozen binary's OpenSSL may not know this machine's
    default paths, and `requests`-style stacks ignore these variables entirely.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR") or None
    if cafile or capath:
        try:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError):
            raise NetworkError(
                "TLS trust could not be loaded: SSL_CERT_FILE / SSL_CERT_DIR must name a "
                "readable PEM bundle or certificate directory"
            ) from None
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    return context


def _parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = max(0.0, when.timestamp() - time.time())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, RETRY_AFTER_CAP_SECONDS)


def retry_delay(attempt: int, retry_after: str | None, jitter: bool = True) -> float:
    """Delay before retry number `attempt` (1-based): Retry-After if usable, else 2^(k-1) s."""
    honoured = _parse_retry_after(retry_after)
    if honoured is not None:
        return honoured
    base = float(2 ** (attempt - 1))
    return base * (1.0 + random.uniform(0.0, 0.2)) if jitter else base


class GuardedTransport(httpx.AsyncBaseTransport):
    """Sends only to allowed origins, retries per contract §7.1.3, caps bodies at 32 MiB."""

    def __init__(
        self,
        rules: Iterable[EgressRule],
        ssl_context: ssl.SSLContext,
        environ: dict[str, str] | None = None,
        *,
        deadline: float | None = None,
        reauthorize: Callable[[str], Awaitable[str | None]] | None = None,
    ) -> None:
        """`deadline` is the run's soft deadline (monotonic seconds); `reauthorize` gives a
        current bearer token for an origin, so a retry never re-sends an expired one."""
        self._rules = {rule.origin: rule for rule in rules}
        env = dict(os.environ if environ is None else environ)
        self._no_proxy_env = env
        self._ssl_context = ssl_context
        self._proxy_url = env.get("https_proxy") or env.get("HTTPS_PROXY")
        self._pools: dict[str, Pool] = {}
        self._deadline = deadline
        self._reauthorize = reauthorize
        self.stats = TransportStats()
        self.pacer = Pacer()

    def _check_egress(self, request: httpx.Request) -> None:
        # Origins carry their scheme: plain http matches only an explicit http rule (IMDS).
        rule = self._rules.get(origin_of(str(request.url)))
        if rule is None:
            raise EgressRefused()
        if request.method == "GET" and rule.allow_get:
            return
        if request.method == "POST" and any(
            request.url.path.endswith(suffix) for suffix in rule.post_path_suffixes
        ):
            return
        raise EgressRefused()

    def _pool(self, request: httpx.Request, scope: str) -> Pool:
        """The scope's pool (see POOL_LIMITS), direct or through HTTPS_PROXY per NO_PROXY."""
        origin = origin_of(str(request.url))
        key = (
            scope
            if "/subscriptions/" not in scope
            else f"{origin}#{zlib.crc32(scope.encode()) % ARM_POOL_SHARDS}"
        )
        pool = self._pools.get(key)
        if pool is None:
            proxy = self._proxy_url
            if proxy and _bypass_proxy(request.url.host, request.url.port, self._no_proxy_env):
                proxy = None
            pool = self._pools[key] = connection_pool(self._ssl_context, POOL_LIMITS, proxy)
        return pool

    def _remaining(self) -> float | None:
        if self._deadline is None:
            return None
        return self._deadline - time.monotonic()

    async def _attempt(self, request: httpx.Request, scope: str) -> httpx.Response:
        pool = self._pool(request, scope)
        timeout = ATTEMPT_TIMEOUT_SECONDS
        remaining = self._remaining()
        if remaining is not None:
            if remaining <= 0:
                raise DeadlineExceeded()
            timeout = min(timeout, remaining)
        outgoing = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.content,
            extensions=request.extensions,
        )
        try:
            async with asyncio.timeout(timeout):
                response = await pool.handle_async_request(outgoing)
                try:
                    body = await _read_capped(response, _content_encoding(response.headers))
                finally:
                    await response.aclose()
        except TimeoutError:
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                raise DeadlineExceeded() from None
            raise TransportFailure("timeout") from None
        except httpcore.TimeoutException:
            raise TransportFailure("timeout") from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.ProxyError, OSError):
            raise TransportFailure("connection error") from None
        self.stats.bytes_received += len(body)
        headers = [
            (name, value)
            for name, value in response.headers
            if name.lower() not in (b"content-encoding", b"content-length", b"transfer-encoding")
        ]
        return httpx.Response(
            response.status,
            headers=headers,
            content=body,
            request=request,
            extensions={"http_version": response.extensions.get("http_version", b"HTTP/1.1")},
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._check_egress(request)
        request.headers["User-Agent"] = USER_AGENT  # one product identity, whatever SDK built it
        await request.aread()
        self.stats.by_origin[origin_of(str(request.url))] += 1
        scope = throttling_scope(str(request.url))
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self._pace(scope)
            if attempt > 1:
                await self._refresh_bearer(request)
            self.stats.requests += 1
            retry_after: str | None = None
            try:
                response = await self._attempt(request, scope)
            except TransportFailure as failure:
                if failure.kind in NOT_RETRIED or attempt == MAX_ATTEMPTS:
                    raise
            else:
                retry_after = response.headers.get("retry-after")
                self.pacer.observe(scope, response.status_code, _parse_retry_after(retry_after))
                if response.status_code not in RETRYABLE_STATUSES or attempt == MAX_ATTEMPTS:
                    return response
            delay = retry_delay(attempt, retry_after)
            remaining = self._remaining()
            if remaining is not None and delay >= remaining:
                raise DeadlineExceeded()
            self.stats.retries += 1
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _pace(self, scope: str) -> None:
        """Wait for the scope's next start slot (see collector.transport.pacing); never past the deadline."""
        delay = self.pacer.reserve(scope)
        if delay <= 0:
            return
        remaining = self._remaining()
        if remaining is not None and delay >= remaining:
            raise DeadlineExceeded()
        await asyncio.sleep(delay)

    async def _refresh_bearer(self, request: httpx.Request) -> None:
        if self._reauthorize is None or not request.headers.get("Authorization", "").startswith(
            "Bearer "
        ):
            return
        token = await self._reauthorize(origin_of(str(request.url)))
        if token:
            request.headers["Authorization"] = f"Bearer {token}"

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()


def _content_encoding(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"content-encoding":
            return value.decode("latin-1").strip().lower()
    return "identity"


async def _read_capped(response: httpcore.Response, encoding: str) -> bytes:
    """The whole body, decompressed (gzip or deflate, as the client accepts), at most 32 MiB.

    The cap applies to the decompressed size, and decompression stops at the cap, so a small
    compressed body cannot expand into memory.
    """
    decoder = None
    if encoding == "gzip":
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_stream():
            while chunk:
                if decoder is None:
                    data, chunk = chunk, b""
                else:
                    data = decoder.decompress(chunk, MAX_BODY_BYTES + 1 - size)
                    chunk = decoder.unconsumed_tail
                size += len(data)
                if size > MAX_BODY_BYTES:
                    raise TransportFailure("response too large")
                chunks.append(data)
        tail = decoder.flush() if decoder is not None else b""
        if size + len(tail) > MAX_BODY_BYTES:
            raise TransportFailure("response too large")
        chunks.append(tail)
    except zlib.error:
        raise TransportFailure("invalid JSON response") from None
    return b"".join(chunks)


def _bypass_proxy(host: str, port: int | None, env: dict[str, str]) -> bool:
    """NO_PROXY semantics as curl and Go read them: `*`, exact hosts and domain suffixes."""
    raw = env.get("no_proxy") or env.get("NO_PROXY") or ""
    host = host.lower().strip("[]")
    for entry in (part.strip().lower() for part in raw.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        name, _, entry_port = entry.rpartition(":") if entry.count(":") == 1 else (entry, "", "")
        if entry_port and port is not None and entry_port != str(port):
            continue
        name = name.lstrip(".")
        if host == name or host.endswith("." + name):
            return True
    return False


def build_http_client(transport: GuardedTransport) -> httpx.AsyncClient:
    """The client Kiota needs: no env magic (the transport owns proxies), no redirects."""
    return httpx.AsyncClient(
        transport=transport,
        trust_env=False,
        follow_redirects=False,
        timeout=REQUEST_TIMEOUT,
        headers=DEFAULT_HEADERS,
    )
