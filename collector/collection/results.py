"""What collection produced, surface by surface, before it is shaped into artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collector.core.outcomes import Outcome
from collector.services.entra.organization import Organization


@dataclass
class SurfaceResults:
    """Outcomes keyed by surface (G2…, A1…); a surface never attempted reads as skipped."""

    outcomes: dict[str, Outcome[Any]] = field(default_factory=dict)

    def outcome(self, key: str) -> Outcome[Any]:
        return self.outcomes.get(key) or Outcome.skipped()

    def value(self, key: str) -> Any:
        """The surface's aggregate when it is available, else None."""
        outcome = self.outcome(key)
        return outcome.value if outcome.available else None


@dataclass
class EntraResults(SurfaceResults):
    organization: Organization = field(default_factory=lambda: Organization("", ""))


@dataclass
class SubscriptionResults(SurfaceResults):
    """One readable subscription (its A0 probe succeeded)."""

    subscription_id: str = ""


@dataclass
class RunResults:
    now: datetime
    level: str
    entra: EntraResults
    accounts: list[SubscriptionResults] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
