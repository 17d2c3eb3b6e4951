"""Azure Resource Manager access: azure-mgmt clients on the shared guarded transport.

Every client gets an explicit policy list: bearer auth with the shared credential, headers and
content decoding, and nothing else. The SDK defaults that would break the contract are left out
on purpose: retries and redirects (the transport owns retries; redirects are never followed),
automatic resource-provider registration (a write), and HTTP logging.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx
from azure.core.exceptions import DecodeError, DeserializationError, HttpResponseError
from azure.core.pipeline import policies

from collector.clients.paging import MAX_PAGES, NextLinks, SecretSource, no_secrets, page_cap
from collector.core.clouds import Cloud
from collector.core.errors import FatalError
from collector.core.outcomes import Failure, Kind, SurfaceError
from collector.core.sanitize import printable_code, sanitize_route
from collector.transport.azure_core import GuardedAzureTransport
from collector.transport.http import DeadlineExceeded, EgressRefused, TransportFailure

T = TypeVar("T")
MISSING_REGISTRATION: Final = "missingsubscriptionregistration"
# What the SDK raises on a 2xx body it cannot read: its own decoders' errors, and plain Python
# errors when a pager meets valid JSON of another shape (`[]`, a string) or nesting too deep.
DECODE_ERRORS: Final = (
    DecodeError,
    DeserializationError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    RecursionError,
)


@dataclass
class ArmClients:
    """Builds azure-mgmt clients that all share one credential and one HTTP transport."""

    cloud: Cloud
    credential: Any
    transport: httpx.AsyncBaseTransport

    def policies(self) -> list[Any]:
        return [
            policies.HeadersPolicy({"Accept": "application/json"}),
            policies.ContentDecodePolicy(),
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


def _route_of(error: HttpResponseError, route: ArmRoute) -> str:
    request = getattr(getattr(error, "response", None), "request", None)
    url = getattr(request, "url", None)
    return route.text(urlsplit(url).query if isinstance(url, str) else None)


def classify_arm_error(
    error: BaseException, route: ArmRoute, secrets: SecretSource = no_secrets
) -> Failure:
    """Map an exception from an azure-mgmt call to a contract cause and sanitized detail."""
    if isinstance(error, DeadlineExceeded):
        return Failure.deadline()
    if isinstance(error, EgressRefused):
        return Failure.of(Kind.EGRESS, "arm", route.text())
    if isinstance(error, TransportFailure):
        return error.as_failure("arm", route.text())
    if isinstance(error, DECODE_ERRORS):
        # the SDK's decoders, and its pagers meeting a document of an unexpected shape
        return Failure.of(Kind.DECODE, "arm", route.text())
    if isinstance(error, HttpResponseError) and isinstance(error.status_code, int):
        status = error.status_code
        raw_code = getattr(getattr(error, "error", None), "code", None)
        code = printable_code(raw_code, secrets()) if isinstance(raw_code, str) else None
        if status == 403:
            cause = "permission"
        elif status == 404:
            cause = "not_found"
        elif status == 409 and (raw_code or "").lower() == MISSING_REGISTRATION:
            cause = "not_registered"
        else:
            cause = "error"
        return Failure.http(cause, "arm", _route_of(error, route), status, code)
    return Failure.of(Kind.TRANSPORT, "arm", route.text(), "connection error")


def to_json(model: Any) -> dict[str, Any]:
    """The REST-shaped JSON of an SDK model.

    Newer azure-mgmt packages keep the raw response mapping (`as_dict`); older msrest-style
    ones rebuild it with `serialize`. Either way the contract's JSON paths
    (`properties.supportsHttpsTrafficOnly`, …) then apply unchanged, unknown fields included.
    """
    if isinstance(model, MutableMapping):
        return dict(model.as_dict()) if hasattr(model, "as_dict") else dict(model)
    serialize = getattr(model, "serialize", None)
    if callable(serialize):
        result = serialize(keep_readonly=True)
        return result if isinstance(result, dict) else {}
    return {}


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

    async def call(self, call: Awaitable[T], route: ArmRoute) -> T:
        """Await one azure-mgmt operation; any failure becomes a classified SurfaceError."""
        try:
            async with self._own, self._run:
                return await call
        except (SurfaceError, FatalError):
            raise
        except Exception as error:
            raise SurfaceError(classify_arm_error(error, route, self._secrets)) from None

    async def pages(
        self, paged: AsyncIterable[Any], route: ArmRoute, origin: str, within: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page of an SDK listing as JSON objects, with the next-link guards of §7.1.4;
        next links must also stay under `within` (the listing's `/subscriptions/{id}`)."""
        iterator: Any = paged.by_page()  # type: ignore[attr-defined]
        links = NextLinks("arm", origin, within=within)
        for _ in range(MAX_PAGES):
            try:
                async with self._own, self._run:
                    page = await iterator.__anext__()
                    items = [to_json(item) async for item in page]
            except StopAsyncIteration:
                return
            except (SurfaceError, FatalError):
                raise
            except Exception as error:
                raise SurfaceError(classify_arm_error(error, route, self._secrets)) from None
            yield [item for item in items if item]
            link = iterator.continuation_token
            if not isinstance(link, str) or not link:
                return
            links.check(link, route.text())
        raise page_cap("arm", route.text())
