"""What Graph and ARM listings share: the page cap, page decoding, and the next-link guard.

A next link is followed only when it stays on the service's HTTPS origin (and, for Graph, on
v1.0), and has not been requested before in the same listing (§7.1.4). A refused link ends the
listing with a failure naming the last page actually requested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import urlsplit

from collector.core.clouds import origin_of
from collector.core.json_paths import decode_object
from collector.core.outcomes import Failure, Kind, Service, SurfaceError

MAX_PAGES: Final = 10_000

JsonObject = dict[str, Any]
# The secrets a run holds right now (client secret, issued tokens, assertions), for the code
# and text checks that keep every fragment of them out of diagnostics.
SecretSource = Callable[[], Iterable[str]]


def no_secrets() -> Iterable[str]:
    return ()


def error_code_and_message(body: bytes) -> tuple[str, str]:
    """`error.code` and `error.message` of a Microsoft error body ("" when absent)."""
    document = decode_object(body)
    error = document.get("error") if document is not None else None
    if not isinstance(error, dict):
        return "", ""
    code = error.get("code")
    message = error.get("message")
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def page_items(document: JsonObject, service: Service, route: str) -> list[JsonObject]:
    """A list page's objects; absent/null `value` is an empty page, any other non-list fails."""
    value = document.get("value")
    if value is not None and not isinstance(value, list):
        raise SurfaceError(Failure.of(Kind.DECODE, service, route))
    return [item for item in value or () if isinstance(item, dict)]


class NextLinks:
    """The §7.1.4 guard for one listing's next links."""

    def __init__(
        self,
        service: Service,
        origin: str,
        version_path: str | None = None,
        within: str | None = None,
    ) -> None:
        """`version_path` (Graph's `/v1.0`): links must stay under it and never touch beta.
        `within` (ARM's `/subscriptions/{id}`): links must stay in that subscription, or another
        subscription's resources would be counted in this one's metrics."""
        self._service: Service = service
        self._origin = origin_of(origin)
        self._version = version_path
        self._within = within.lower().rstrip("/") if within else None
        self._requested: set[str] = set()

    def _refuse(self, route: str, problem: str) -> SurfaceError:
        return SurfaceError(Failure.of(Kind.REFUSED_LINK, self._service, route, problem))

    def check(self, link: str, route: str) -> None:
        """Raise SurfaceError unless `link` may be followed; `route` is the last page's route."""
        try:
            parts = urlsplit(link)
            same_origin = parts.scheme.lower() == "https" and origin_of(link) == self._origin
        except ValueError:
            same_origin = False
        if not same_origin or not self._inside(parts.path):
            raise self._refuse(route, "cross-origin next link refused")
        if self._version is not None:
            segments = [segment.lower() for segment in parts.path.split("/")]
            if not parts.path.startswith(f"{self._version}/") or "beta" in segments:
                raise self._refuse(route, "beta endpoint refused")
        if link in self._requested:
            raise self._refuse(route, "paging loop detected")
        self._requested.add(link)

    def _inside(self, path: str) -> bool:
        if self._within is None:
            return True
        lowered = path.lower()
        return lowered == self._within or lowered.startswith(self._within + "/")

    def seen(self, url: str) -> None:
        """Record a URL requested without a next link (the listing's first page)."""
        self._requested.add(url)


def page_cap(service: Service, route: str) -> SurfaceError:
    return SurfaceError(Failure.of(Kind.PAGE_CAP, service, route))
