"""Surface outcomes: every call family ends available or unavailable with a cause (§4.5, §6.2).

Service modules raise `SurfaceError`; the composer records the `Failure` and nulls the
surface's metrics. Nothing in a `Failure` comes from a response body except a validated error
code, so a failure can be written to an artifact as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

T = TypeVar("T")

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


@dataclass(frozen=True)
class Failure:
    """Why a surface (or one per-item call) is unavailable; `detail` is already sanitized."""

    cause: str
    detail: str | None = None
    status: int | None = None


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


def http_failure_text(service: str, route: str, status: int, code: str | None) -> str:
    text = f"{service} request {route} failed: status={status}"
    return f"{text} code={code}" if code else text


def kind_failure_text(service: str, route: str, kind: str) -> str:
    return f"{service} request {route} failed: {kind}"


def is_licence_error(code: str, message: str, body: bytes) -> bool:
    haystack = f"{code} {message} {body[:4096].decode('utf-8', 'replace')}".lower()
    return any(marker in haystack for marker in LICENCE_MARKERS)
