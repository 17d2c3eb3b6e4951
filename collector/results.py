"""What collection produced, surface by surface, before it is shaped into artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from collector.services.entra.organization import Organization
from collector.services.entra.users import UserDirectory
from collector.surfaces import Outcome


@dataclass
class EntraResults:
    """Outcomes of G2–G14 keyed by surface; a surface never attempted is `Outcome.skipped()`."""

    organization: Organization
    outcomes: dict[str, Outcome[Any]] = field(default_factory=dict)

    def outcome(self, key: str) -> Outcome[Any]:
        return self.outcomes.get(key) or Outcome.skipped()

    @property
    def users(self) -> UserDirectory | None:
        outcome = self.outcome("G3")
        return outcome.value if outcome.available else None


@dataclass
class SubscriptionResults:
    """One readable subscription (its A0 probe succeeded) and its surface outcomes."""

    subscription_id: str
    outcomes: dict[str, Outcome[Any]] = field(default_factory=dict)

    def outcome(self, key: str) -> Outcome[Any]:
        return self.outcomes.get(key) or Outcome.skipped()


@dataclass
class RunResults:
    now: datetime
    level: str
    entra: EntraResults
    accounts: list[SubscriptionResults] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
