"""Why a surface is missing, as a machine-readable reason, and the one fixed sentence per
(surface, reason) that tells an operator what to grant, license or register (v1.1 §V.10).

The same table renders docs/troubleshooting.md (`python -m collector.core.fixes`), and a test
keeps the two equal, so the product and its docs cannot drift apart. No sentence carries
service text: each is built from the registry's own facts.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Final

from collector.core.outcomes import CAUSES, Failure
from collector.core.registry import Surface, scope_surfaces, surface

# §V.10: the contract cause → the `unavailable[].reason`; `error` with a final 429 is `throttled`.
REASONS: Final = {
    "licence": "licence_missing",
    "permission": "permission_missing",
    "not_found": "not_offered",
    "not_registered": "provider_not_registered",
    "empty": "empty",
    "deadline": "deadline",
    "error": "error",
}
READER_ROLE: Final = "Reader"


def reason_of(failures: Iterable[Failure]) -> str:
    """The reason of an unavailable surface: its first cause in §6.9 order."""
    present = list(failures)
    for cause in CAUSES:
        matching = [failure for failure in present if failure.cause == cause]
        if matching:
            if cause == "error" and all(failure.throttled for failure in matching):
                return "throttled"
            return REASONS[cause]
    raise ValueError("an unavailable surface has at least one failure")


def reasons(row: Surface) -> tuple[str, ...]:
    """The reasons a surface can be unavailable for, in table order."""
    if row.service == "graph":
        found = ["permission_missing", "not_offered", "throttled", "error", "deadline"]
        if row.licence and not row.mandatory:
            found.insert(0, "licence_missing")
        if row.key == "G12":
            found.insert(found.index("throttled"), "empty")
        return tuple(found)
    return (
        "permission_missing",
        "not_offered",
        "provider_not_registered",
        "throttled",
        "error",
        "deadline",
    )


def fix(row: Surface, reason: str) -> str:
    """The fixed sentence for (surface, reason)."""
    errors = "tenant_errors" if row.service == "graph" else "subscription_errors"
    if reason == "licence_missing":
        return (
            f"License the tenant for {row.licence}; without it {row.label} stays unavailable "
            "and its metrics are null."
        )
    if reason == "permission_missing" and row.service == "graph":
        return (
            f"Grant the Microsoft Graph application permission {row.permission} to the app "
            "registration and grant admin consent."
        )
    if reason == "permission_missing":
        return (
            f"Assign the {READER_ROLE} role to the collector's identity on this subscription "
            "(or on its management group)."
        )
    if reason == "not_offered":
        where = "tenant or cloud" if row.service == "graph" else "subscription"
        return (
            f"{row.label} is not offered or not enabled in this {where}; enable it if it "
            "should be, otherwise nothing to fix."
        )
    if reason == "provider_not_registered":
        return (
            f"Register the resource provider {row.namespace} in this subscription "
            "(Subscription, Resource providers, Register); the collector never registers it."
        )
    if reason == "empty":
        return (
            "Microsoft Secure Score has no snapshot with a positive maximum yet; it appears "
            "within a day of the tenant's first score calculation."
        )
    if reason == "throttled":
        return (
            "Microsoft throttled the requests until every retry was used; re-run later, or "
            "collect fewer subscriptions in one run."
        )
    if reason == "deadline":
        return (
            "The collection deadline arrived first; raise deadline_seconds (up to 3600) or "
            "collect fewer subscriptions in one run."
        )
    if reason == "error":
        return (
            f"The request failed (the status is in {errors}); re-run, and check the service's "
            "health if it keeps failing."
        )
    raise ValueError(f"no fix for reason {reason!r}")


def fix_table() -> dict[tuple[str, str], str]:
    """Every (surface, reason) the collector can report, and its fix."""
    rows = [
        *scope_surfaces("tenant"),  # not G1: its failure ends the run
        *scope_surfaces("subscription", include_mandatory=True),
    ]
    return {(row.key, reason): fix(row, reason) for row in rows for reason in reasons(row)}


def render_troubleshooting() -> str:
    """docs/troubleshooting.md: the fix table as the product prints it."""
    lines = [
        "# Troubleshooting: why a surface is unavailable, and the fix",
        "",
        "Generated from `collector/core/fixes.py` (`python -m collector.core.fixes`); a test",
        "keeps this page equal to what the collector writes in `diagnostics.unavailable`.",
        "",
        "| Surface | What it is | Reason | Fix |",
        "|---|---|---|---|",
    ]
    for (key, reason), text in fix_table().items():
        lines.append(f"| {key} | {surface(key).label} | `{reason}` | {text} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_troubleshooting())
