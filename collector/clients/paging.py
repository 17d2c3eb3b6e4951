"""What Graph and ARM listings share: the page cap, page decoding, and the next-link guard.

A next link is followed only when it stays on the service's HTTPS origin (and, for Graph, on
v1.0), and has not been requested before in the same listing (§7.1.4). A refused link ends the
listing with a failure naming the last page actually requested.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import urlsplit

from collector.core.clouds import origin_of
from collector.core.outcomes import Failure, Kind, Service, SurfaceError

MAX_PAGES: Final = 10_000
_CODE_RE: Final = re.compile(r"[A-Za-z0-9_.:-]{1,100}")

JsonObject = dict[str, Any]


def safe_code(code: str) -> str | None:
    """An `error.code` that may be printed (§6.5), else None."""
    return code if _CODE_RE.fullmatch(code) else None


def error_code_and_message(body: bytes) -> tuple[str, str]:
    """`error.code` and `error.message` of a Microsoft error body ("" when absent)."""
    document = decode_object(body)
    error = document.get("error") if document is not None else None
    if not isinstance(error, dict):
        return "", ""
    code = error.get("code")
    message = error.get("message")
    return (code if isinstance(code, str) else "", message if isinstance(message, str) else "")


def decode_object(body: bytes) -> JsonObject | None:
    """A JSON object body, or None for anything else (undecodable, too deep, not an object)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def page_items(document: JsonObject, service: Service, route: str) -> list[JsonObject]:
    """A list page's objects; absent/null `value` is an empty page, any other non-list fails."""
    value = document.get("value")
    if value is not None and not isinstance(value, list):
        raise SurfaceError(Failure.of(Kind.DECODE, service, route))
    return [item for item in value or () if isinstance(item, dict)]


class NextLinks:
    """The §7.1.4 guard for one listing's next links."""

    def __init__(self, service: Service, origin: str, version_path: str | None = None) -> None:
        """`version_path` (Graph's `/v1.0`): links must stay under it and never touch beta."""
        self._service: Service = service
        self._origin = origin_of(origin)
        self._version = version_path
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
        if not same_origin:
            raise self._refuse(route, "cross-origin next link refused")
        if self._version is not None:
            segments = [segment.lower() for segment in parts.path.split("/")]
            if not parts.path.startswith(f"{self._version}/") or "beta" in segments:
                raise self._refuse(route, "beta endpoint refused")
        if link in self._requested:
            raise self._refuse(route, "paging loop detected")
        self._requested.add(link)

    def seen(self, url: str) -> None:
        """Record a URL requested without a next link (the listing's first page)."""
        self._requested.add(url)


def page_cap(service: Service, route: str) -> SurfaceError:
    return SurfaceError(Failure.of(Kind.PAGE_CAP, service, route))
