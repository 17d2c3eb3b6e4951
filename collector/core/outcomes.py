"""Surface outcomes: every call family ends available or unavailable with a cause (§4.5, §6.2).

Service modules raise `SurfaceError`; collection records the `Failure` and nulls the surface's
metrics. A `Failure` is structured (cause, kind, service, route, status, code) and renders its
§6.5 text only when diagnostics ask for it, so no layer parses text back. Nothing in a
`Failure` comes from a response body except a validated error code, so it is safe to output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Generic, Literal, TypeVar

T = TypeVar("T")
Service = Literal["graph", "arm"]

CAUSES: Final = (
    "licence",
    "permission",
    "not_found",
    "not_registered",
    "empty",
    "error",
    "deadline",
)
LICENCE_MARKERS: Final = (
    "nonpremiumtenant",
    "aadpremiumlicenserequired",
    "premiumlicenserequired",
    "premium license",
    "entra id p2",
    "entra id governance",
    "doesn't have premium",
)


class Kind(StrEnum):
    """What went wrong, independent of the contract cause it maps to."""

    HTTP = "http"  # the service answered with an error status
    TRANSPORT = "transport"  # no usable response: timeout, connection error, oversized body
    DECODE = "decode"  # a response that is not the JSON document the API defines
    REFUSED_LINK = "refused_link"  # a next link off the origin, into beta, or a paging loop
    PAGE_CAP = "page_cap"  # the 10,000-page cap (§7.1.2)
    EGRESS = "egress"  # a request outside the run's allowlist (never sent)
    INVALID_ID = "invalid_id"  # a malformed resource ID (no request sent)
    EMPTY = "empty"  # a 2xx answer without the data the metric needs (G12)
    DEADLINE = "deadline"
    BUG = "bug"  # an exception raised by our own code: an internal error of the surface


# The §6.5 `<kind>` text for the kinds that have one fixed wording.
PROBLEMS: Final = {
    Kind.DECODE: "invalid JSON response",
    Kind.PAGE_CAP: "page limit exceeded",
    Kind.EGRESS: "egress refused",
    Kind.INVALID_ID: "invalid resource id",
    Kind.BUG: "internal error",
}


@dataclass(frozen=True)
class Failure:
    """Why a surface (or one per-item call) is unavailable.

    `route` is the sanitized route of the failing request (§6.6.1); `code` a validated
    `error.code`; `problem` the §6.5 kind text of a non-HTTP failure.
    """

    cause: str
    kind: Kind
    service: Service | None = None
    route: str | None = None
    status: int | None = None
    code: str | None = None
    problem: str | None = None

    @staticmethod
    def http(cause: str, service: Service, route: str, status: int, code: str | None) -> Failure:
        return Failure(cause, Kind.HTTP, service, route, status, code)

    @staticmethod
    def of(kind: Kind, service: Service, route: str, problem: str | None = None) -> Failure:
        """A non-HTTP failure (cause `error`); `problem` defaults to the kind's fixed text."""
        return Failure("error", kind, service, route, problem=problem or PROBLEMS[kind])

    @staticmethod
    def deadline() -> Failure:
        return Failure("deadline", Kind.DEADLINE)

    @staticmethod
    def empty() -> Failure:
        return Failure("empty", Kind.EMPTY)

    @property
    def detail(self) -> str | None:
        """The §6.5 `<sanitized error>` text, or None when the cause has none (empty)."""
        if self.kind is Kind.DEADLINE:
            return "deadline exceeded"
        if self.route is None:
            return None
        text = f"{self.service} request {self.route} failed: "
        if self.kind is Kind.HTTP:
            text += f"status={self.status}"
            return f"{text} code={self.code}" if self.code else text
        return text + (self.problem or "")

    @property
    def throttled(self) -> bool:
        """The service's final answer was 429 (after every retry)."""
        return self.kind is Kind.HTTP and self.status == 429


class SurfaceError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.cause)
        self.failure = failure


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A surface result: `value` when available, else the failures that made it unavailable."""

    value: T | None
    failures: tuple[Failure, ...] = ()
    called: bool = True

    @property
    def available(self) -> bool:
        return self.called and not self.failures

    @staticmethod
    def skipped() -> Outcome[T]:
        """A surface that the contract says is not called (level, missing parent)."""
        return Outcome(value=None, called=False)


@dataclass
class SurfaceResults:
    """Outcomes of one scope keyed by surface (G2…, A1…); a surface never attempted is skipped."""

    outcomes: dict[str, Outcome[Any]] = field(default_factory=dict)

    def outcome(self, key: str) -> Outcome[Any]:
        return self.outcomes.get(key) or Outcome.skipped()

    def available(self, key: str) -> bool:
        return self.outcome(key).available

    def value(self, key: str) -> Any:
        """The surface's aggregate when it is available, else None."""
        outcome = self.outcome(key)
        return outcome.value if outcome.available else None


def is_licence_error(code: str, message: str, body: bytes) -> bool:
    haystack = f"{code} {message} {body[:4096].decode('utf-8', 'replace')}".lower()
    return any(marker in haystack for marker in LICENCE_MARKERS)


# Called for every internal error a surface's safety net catches; tests install a hook that
# fails the test, so a bug can never hide behind a nulled surface (see tests/conftest.py).
internal_error_hooks: list[Callable[[str, BaseException], None]] = []


def internal_error(key: str, service: Service, route: str, error: BaseException) -> Failure:
    """An exception our own code raised while handling surface `key`: null it, report it."""
    for hook in internal_error_hooks:
        hook(key, error)
    return Failure.of(Kind.BUG, service, route)
