"""The run-wide diagnostics block (contract §6): capabilities, warnings, errors, truncation.

Entries are produced from surface outcomes after all collection has finished, in canonical
surface order, so their order never depends on which request completed first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collector.collection.permissions import permissions
from collector.collection.results import Completeness
from collector.core import registry
from collector.core.fixes import fix, reason_of
from collector.core.outcomes import CAUSES, Failure, Kind, Outcome
from collector.core.registry import Surface, capability_order, scope_surfaces


def _ordered_causes(failures: Iterable[Failure]) -> list[str]:
    present = {failure.cause for failure in failures}
    return [cause for cause in CAUSES if cause in present]


def entra_warning(surface: Surface, cause: str) -> str | None:
    suffix = f" [{surface.capability}]" if surface.capability else ""
    label = surface.label
    if cause == "licence":
        return (
            f"{label} unavailable: the tenant is not licensed for it ({surface.licence} "
            f"required); dependent metrics are null{suffix}"
        )
    if cause == "permission":
        return (
            f"{label} unavailable: Microsoft Graph application permission {surface.permission} "
            f"is not granted or lacks admin consent; grant it and re-run{suffix}"
        )
    if cause == "not_found":
        return (
            f"{label} unavailable: Microsoft Graph returned 404 in this tenant or cloud; "
            f"dependent metrics are null{suffix}"
        )
    if cause == "empty":
        return (
            f"{label} unavailable: no score snapshot with a positive maximum was returned; "
            f"identity_pct is null{suffix}"
        )
    if cause == "error":
        return (
            f"{label} unavailable: the request failed (see tenant_errors); dependent metrics "
            f"are null{suffix}"
        )
    return None


def azure_warning(surface: Surface, cause: str, subscription_id: str) -> str | None:
    prefix = f"{surface.label} unavailable for subscription {subscription_id}"
    if cause == "permission":
        return (
            f"{prefix}: access denied; assign the Reader role to the collector's service "
            "principal on this subscription"
        )
    if cause == "not_found":
        return f"{prefix}: Azure returned 404 (the feature is not enabled or not offered for this subscription)"
    if cause == "not_registered":
        return f"{prefix}: resource provider {surface.namespace} is not registered in this subscription"
    if cause == "error":
        return f"{prefix}: the request failed (see subscription_errors)"
    return None


@dataclass
class SubscriptionReport:
    """What one configured subscription contributed to diagnostics."""

    subscription_id: str
    probe_failure: Failure | None = None
    not_started: bool = False
    surfaces: Mapping[str, Outcome[Any]] = field(default_factory=dict)


@dataclass
class Diagnostics:
    """Inputs to the diagnostics block; `build()` renders it in canonical order."""

    config_warnings: tuple[str, ...] = ()
    entra: Mapping[str, Outcome[Any]] = field(default_factory=dict)
    subscriptions: list[SubscriptionReport] = field(default_factory=list)
    truncation: dict[str, int] = field(default_factory=dict)
    entra_tier: str = "unknown"
    deadline_seconds: int | None = None  # set when the deadline was reached
    completeness: Completeness = field(default_factory=lambda: Completeness(0, 0))
    permissions: dict[str, Any] = field(default_factory=lambda: permissions({}, []))

    def unavailable(self) -> list[dict[str, str]]:
        """One entry per unavailable (scope, surface): tenant first, then config order (§V.10)."""
        entries: list[dict[str, str]] = []

        def add(scope: str, row: Surface, failures: Iterable[Failure]) -> None:
            reason = reason_of(failures)
            entries.append(
                {"scope": scope, "surface": row.key, "reason": reason, "fix": fix(row, reason)}
            )

        for row in scope_surfaces("tenant"):
            if _failed(outcome := self.entra.get(row.key)):
                assert outcome is not None
                add("tenant", row, outcome.failures)
        for report in self.subscriptions:
            sub = report.subscription_id
            if report.probe_failure is not None:
                add(sub, registry.surface("A0"), [report.probe_failure])
            elif report.not_started:
                add(sub, registry.surface("A0"), [Failure.deadline()])
            for row in scope_surfaces("subscription"):
                if _failed(outcome := report.surfaces.get(row.key)):
                    assert outcome is not None
                    add(sub, row, outcome.failures)
        return entries

    def capabilities_unavailable(self) -> list[str]:
        missing: set[str] = set()
        for surface in scope_surfaces("tenant"):
            if surface.capability and (
                _failed(self.entra.get(surface.key))
                or (surface.truncation is not None and surface.truncation in self.truncation)
                or (
                    surface.capability_when_parent_unavailable
                    and any(_failed(self.entra.get(parent)) for parent in surface.parents)
                )
            ):
                missing.add(surface.capability)
        return [name for name in capability_order() if name in missing]

    def _entra_lists(self) -> tuple[list[str], list[str]]:
        warnings: list[str] = []
        errors: list[str] = []
        for surface in scope_surfaces("tenant"):
            outcome = self.entra.get(surface.key)
            if outcome is None or not outcome.called:
                continue
            for cause in _ordered_causes(outcome.failures):
                text = entra_warning(surface, cause)
                if text:
                    warnings.append(text)
            errors.extend(
                f"{surface.name}: {failure.detail}"
                for failure in outcome.failures
                if failure.cause in ("error", "deadline") and failure.detail
            )
        return warnings, errors

    def _azure_lists(self) -> tuple[list[str], list[str]]:
        warnings: list[str] = []
        errors: list[str] = []
        for report in self.subscriptions:
            sub = report.subscription_id
            if report.probe_failure is not None and report.probe_failure.detail:
                errors.append(f"{sub}: {report.probe_failure.detail}")
            for surface in scope_surfaces("subscription"):
                outcome = report.surfaces.get(surface.key)
                if outcome is None or not outcome.called:
                    continue
                for cause in _ordered_causes(outcome.failures):
                    text = azure_warning(surface, cause, sub)
                    if text:
                        warnings.append(text)
                errors.extend(
                    f"{sub}: {surface.name}: {failure.detail}"
                    for failure in outcome.failures
                    if failure.cause in ("error", "deadline") and failure.detail
                )
            if report.not_started:
                errors.append(f"{sub}: not collected: deadline exceeded")
        return warnings, errors

    def _page_limits(self) -> dict[str, int]:
        """Listings stopped at the 10,000-page cap (§7.1.2): the surface is null (never a partial
        count) and the cap is also recorded as truncation, at least one page unread."""
        hits: dict[str, int] = {}
        for surface in scope_surfaces("tenant"):
            outcome = self.entra.get(surface.key)
            if outcome is not None and any(_page_limited(f) for f in outcome.failures):
                hits[f"{surface.name}/pages"] = 1
        for report in self.subscriptions:
            for azure in scope_surfaces("subscription"):
                outcome = report.surfaces.get(azure.key)
                if outcome is not None and any(_page_limited(f) for f in outcome.failures):
                    hits[f"{report.subscription_id}/{azure.name}/pages"] = 1
        return hits

    def build(self) -> dict[str, Any]:
        entra_warnings, tenant_errors = self._entra_lists()
        azure_warnings, subscription_errors = self._azure_lists()
        warnings = [*self.config_warnings, *entra_warnings, *azure_warnings]
        if self.deadline_seconds is not None:
            warnings.append(
                f"collection deadline of {self.deadline_seconds} s reached; surfaces not yet "
                "collected are null"
            )
        return {
            "tenant_errors": _dedupe(tenant_errors),
            "subscription_errors": _dedupe(subscription_errors),
            "warnings": _dedupe(warnings),
            "truncation": {
                key: {"truncated": True, "dropped_count": count}
                for key, count in sorted((self.truncation | self._page_limits()).items())
            },
            "license": {
                "entra_tier": self.entra_tier,
                "capabilities_unavailable": self.capabilities_unavailable(),
            },
            "completeness": {
                "surfaces_expected": self.completeness.expected,
                "surfaces_collected": self.completeness.collected,
                "pct": self.completeness.pct,
            },
            "unavailable": self.unavailable(),
            "permissions": self.permissions,
        }


def _page_limited(failure: Failure) -> bool:
    return failure.kind is Kind.PAGE_CAP


def _failed(outcome: Outcome[Any] | None) -> bool:
    return outcome is not None and outcome.called and not outcome.available


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
