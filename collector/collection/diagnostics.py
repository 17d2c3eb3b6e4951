"""The run-wide diagnostics block (contract §6): capabilities, warnings, errors, truncation.

Entries are produced from surface outcomes after all collection has finished, in canonical
surface order, so their order never depends on which request completed first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from collector.core.outcomes import CAUSES, Failure, Outcome


@dataclass(frozen=True)
class EntraSurface:
    key: str  # G2..G14
    label: str
    permission: str
    licence: str
    capability: str | None  # also the tenant_errors surface name; G2 uses `subscribed_skus`


P1_OR_P2: Final = "Microsoft Entra ID P1 or P2"
ENTRA_SURFACES: Final = (
    EntraSurface("G2", "Licence detection", "Organization.Read.All", P1_OR_P2, None),
    EntraSurface("G3", "User directory listing", "User.Read.All", P1_OR_P2, "users"),
    EntraSurface(
        "G4", "MFA registration report", "AuditLog.Read.All", P1_OR_P2, "mfa_registration_report"
    ),
    EntraSurface("G5", "User sign-in activity", "AuditLog.Read.All", P1_OR_P2, "sign_in_activity"),
    EntraSurface(
        "G6", "Conditional Access policies", "Policy.Read.All", P1_OR_P2, "conditional_access"
    ),
    EntraSurface(
        "G7", "Security defaults policy", "Policy.Read.All", P1_OR_P2, "security_defaults"
    ),
    EntraSurface(
        "G8",
        "Directory role assignments",
        "RoleManagement.Read.Directory",
        P1_OR_P2,
        "privileged_access",
    ),
    EntraSurface(
        "G9",
        "PIM eligibility schedules",
        "RoleEligibilitySchedule.Read.Directory",
        "Microsoft Entra ID P2 or Microsoft Entra ID Governance",
        "pim",
    ),
    EntraSurface(
        "G10", "Enterprise applications", "Application.Read.All", P1_OR_P2, "enterprise_apps"
    ),
    EntraSurface(
        "G11",
        "Application credentials",
        "Application.Read.All",
        P1_OR_P2,
        "application_credentials",
    ),
    EntraSurface(
        "G12",
        "Microsoft Secure Score",
        "SecurityEvents.Read.All",
        P1_OR_P2,
        "identity_secure_score",
    ),
    EntraSurface(
        "G13", "Directory audit log", "AuditLog.Read.All", P1_OR_P2, "directory_audit_activity"
    ),
    EntraSurface("G14", "Sign-in log", "AuditLog.Read.All", P1_OR_P2, "sign_in_logs"),
)
CAPABILITY_ORDER: Final = (
    "users",
    "mfa_registration_report",
    "sign_in_activity",
    "conditional_access",
    "security_defaults",
    "privileged_access",
    "pim",
    "enterprise_apps",
    "application_credentials",
    "identity_secure_score",
    "directory_audit_activity",
    "sign_in_logs",
)


@dataclass(frozen=True)
class AzureSurface:
    key: str  # A1..A21
    label: str
    namespace: str
    name: str  # subscription_errors surface name


AZURE_SURFACES: Final = (
    AzureSurface("A1", "Defender secure score", "Microsoft.Security", "defender_secure_score"),
    AzureSurface("A2", "Defender assessments", "Microsoft.Security", "defender_assessments"),
    AzureSurface("A3", "RBAC role assignments", "Microsoft.Authorization", "rbac_role_assignments"),
    AzureSurface("A4", "Azure Policy assignments", "Microsoft.Authorization", "policy_assignments"),
    AzureSurface(
        "A5", "Azure Policy compliance summary", "Microsoft.PolicyInsights", "policy_compliance"
    ),
    AzureSurface("A6", "Storage accounts", "Microsoft.Storage", "storage_accounts"),
    AzureSurface("A7", "Key Vault inventory", "Microsoft.KeyVault", "key_vaults"),
    AzureSurface("A8", "SQL server inventory", "Microsoft.Sql", "sql_servers"),
    AzureSurface("A9", "SQL database inventory", "Microsoft.Sql", "sql_databases"),
    AzureSurface("A10", "SQL transparent data encryption", "Microsoft.Sql", "sql_tde"),
    AzureSurface("A11", "Virtual machine inventory", "Microsoft.Compute", "virtual_machines"),
    AzureSurface("A12", "Public IP inventory", "Microsoft.Network", "public_ip_addresses"),
    AzureSurface(
        "A13",
        "Recovery Services vault inventory",
        "Microsoft.RecoveryServices",
        "recovery_services_vaults",
    ),
    AzureSurface(
        "A14", "Backup protected items", "Microsoft.RecoveryServices", "backup_protected_items"
    ),
    AzureSurface("A15", "Backup policies", "Microsoft.RecoveryServices", "backup_policies"),
    AzureSurface("A16", "Backup job history", "Microsoft.RecoveryServices", "backup_jobs"),
    AzureSurface("A17", "Network security groups", "Microsoft.Network", "network_security_groups"),
    AzureSurface(
        "A18",
        "Subscription diagnostic settings",
        "Microsoft.Insights",
        "subscription_diagnostic_settings",
    ),
    AzureSurface(
        "A19", "Resource diagnostic settings", "Microsoft.Insights", "resource_diagnostic_settings"
    ),
    AzureSurface("A20", "Azure resource inventory", "Microsoft.Resources", "resource_inventory"),
    AzureSurface("A21", "Azure resource inventory", "Microsoft.ResourceGraph", "resource_graph"),
)


def _ordered_causes(failures: Iterable[Failure]) -> list[str]:
    present = {failure.cause for failure in failures}
    return [cause for cause in CAUSES if cause in present]


def entra_warning(surface: EntraSurface, cause: str) -> str | None:
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


def azure_warning(surface: AzureSurface, cause: str, subscription_id: str) -> str | None:
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

    def capabilities_unavailable(self) -> list[str]:
        missing: set[str] = set()
        for surface in ENTRA_SURFACES:
            outcome = self.entra.get(surface.key)
            if (
                surface.capability
                and outcome is not None
                and outcome.called
                and not outcome.available
            ):
                missing.add(surface.capability)
        # G8 not called because G3 is unavailable still means privileged access is unknown.
        users = self.entra.get("G3")
        if users is not None and users.called and not users.available:
            missing.add("privileged_access")
        return [name for name in CAPABILITY_ORDER if name in missing]

    def _entra_lists(self) -> tuple[list[str], list[str]]:
        warnings: list[str] = []
        errors: list[str] = []
        for surface in ENTRA_SURFACES:
            outcome = self.entra.get(surface.key)
            if outcome is None or not outcome.called:
                continue
            for cause in _ordered_causes(outcome.failures):
                text = entra_warning(surface, cause)
                if text:
                    warnings.append(text)
            name = surface.capability or "subscribed_skus"
            errors.extend(
                f"{name}: {failure.detail}"
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
            for surface in AZURE_SURFACES:
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
        for surface in ENTRA_SURFACES:
            outcome = self.entra.get(surface.key)
            if outcome is not None and any(_page_limited(f) for f in outcome.failures):
                hits[f"{surface.capability or 'subscribed_skus'}/pages"] = 1
        for report in self.subscriptions:
            for azure in AZURE_SURFACES:
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
        }


def _page_limited(failure: Failure) -> bool:
    return (failure.detail or "").endswith("failed: page limit exceeded")


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
