"""What collection produced, surface by surface, before it is shaped into artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collector.core.metrics import pct
from collector.core.outcomes import SurfaceResults
from collector.services.entra.organization import Organization


@dataclass
class EntraResults(SurfaceResults):
    organization: Organization = field(default_factory=lambda: Organization("", ""))


@dataclass
class SubscriptionResults(SurfaceResults):
    """One readable subscription (its A0 probe succeeded)."""

    subscription_id: str = ""


@dataclass(frozen=True)
class Completeness:
    """How many of the (scope, surface) pairs a run was expected to collect came back (§V.10)."""

    expected: int
    collected: int

    @property
    def pct(self) -> int | None:
        return pct(self.collected, self.expected)


@dataclass
class RunResults:
    now: datetime
    level: str
    entra: EntraResults
    accounts: list[SubscriptionResults] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    completeness: Completeness = field(default_factory=lambda: Completeness(0, 0))
    emergency_access_accounts: frozenset[str] = field(default=frozenset(), repr=False)
    subscriptions_expected: int = 0  # every configured subscription (cloud-posture)
    # Configured subscriptions that were not collected, in config order, with why (§V.9).
    uncollected: list[tuple[str, str]] = field(default_factory=list)
