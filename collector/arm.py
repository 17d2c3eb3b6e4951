"""Azure Resource Manager access: azure-mgmt clients on the shared guarded transport.

Every client gets an explicit policy list: bearer auth with the shared credential, headers and
content decoding, and nothing else. The SDK defaults that would break the contract are left out
on purpose: retries and redirects (the transport owns retries; redirects are never followed),
automatic resource-provider registration (a write), and HTTP logging.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx
from azure.core.exceptions import DecodeError, HttpResponseError
from azure.core.pipeline import policies

from collector.azure_transport import GuardedAzureTransport
from collector.clouds import Cloud
from collector.errors import FatalError
from collector.graph import safe_code
from collector.http import DeadlineExceeded, EgressRefused, TransportFailure
from collector.sanitize import sanitize_route
from collector.surfaces import Failure, SurfaceError, http_failure_text, kind_failure_text

T = TypeVar("T")
MISSING_REGISTRATION: Final = "missingsubscriptionregistration"


@dataclass
class ArmClients:
    """Builds azure-mgmt clients that all share one credential and one HTTP client."""

    cloud: Cloud
    credential: Any
    http: httpx.AsyncClient

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
            transport=GuardedAzureTransport(self.http),
        )


def _route_of(error: HttpResponseError, fallback: str) -> str:
    request = getattr(getattr(error, "response", None), "request", None)
    url = getattr(request, "url", None)
    if not isinstance(url, str):
        return fallback
    parts = urlsplit(url)
    return sanitize_route(parts.path, parts.query)


def classify_arm_error(error: BaseException, route: str) -> Failure:
    """Map an exception from an azure-mgmt call to a contract cause and sanitized detail."""
    if isinstance(error, DeadlineExceeded):
        return Failure("deadline", "deadline exceeded")
    if isinstance(error, EgressRefused):
        return Failure("error", kind_failure_text("arm", route, "cross-origin next link refused"))
    if isinstance(error, TransportFailure):
        return Failure("error", kind_failure_text("arm", route, error.kind))
    if isinstance(error, DecodeError):
        return Failure("error", kind_failure_text("arm", route, "invalid JSON response"))
    if isinstance(error, HttpResponseError) and isinstance(error.status_code, int):
        route = _route_of(error, route)
        status = error.status_code
        raw_code = getattr(getattr(error, "error", None), "code", None)
        code = safe_code(raw_code) if isinstance(raw_code, str) else None
        text = http_failure_text("arm", route, status, code)
        if status == 403:
            return Failure("permission", text, status)
        if status == 404:
            return Failure("not_found", text, status)
        if status == 409 and (raw_code or "").lower() == MISSING_REGISTRATION:
            return Failure("not_registered", text, status)
        return Failure("error", text, status)
    return Failure("error", kind_failure_text("arm", route, "connection error"))


async def arm_call(call: Awaitable[T], route: str) -> T:
    """Await one azure-mgmt operation; any failure becomes a classified SurfaceError."""
    try:
        return await call
    except (SurfaceError, FatalError):
        raise
    except Exception as error:
        raise SurfaceError(classify_arm_error(error, route)) from None
