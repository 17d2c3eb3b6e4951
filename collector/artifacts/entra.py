"""`artifacts/microsoft-cloud.entra.json` (contract §5.1)."""

from __future__ import annotations

from typing import Any

from collector.metrics import format_timestamp
from collector.results import RunResults

PATH = "artifacts/microsoft-cloud.entra.json"


def _posture(run: RunResults) -> dict[str, Any]:
    users = run.entra.users
    return {
        "mfa_coverage": None,
        "mfa_phishing_resistant": None,
        "mfa_weak_method_only": None,
        "sspr_registered": None,
        "sso_coverage": None,
        "denominator_enabled_member_users": users.enabled_member_count if users else None,
    }


def _users(run: RunResults) -> dict[str, Any]:
    users = run.entra.users
    return {
        "total_count": users.total_count if users else None,
        "enabled_member_users_count": users.enabled_member_count if users else None,
        "guest_pct": users.guest_pct if users else None,
        "disabled_pct": users.disabled_pct if users else None,
        "inactive_pct": None,
        "inactive_guest_pct": None,
    }


def build(run: RunResults) -> dict[str, Any]:
    return {
        "schema_version": "1.0.0",
        "collected_at": format_timestamp(run.now),
        "collected_at_level": run.level,
        "tenant_id": run.entra.organization.tenant_id,
        "org_domain": run.entra.organization.org_domain,
        "posture": _posture(run),
        "users": _users(run),
        "secure_score": {"identity_pct": None},
        "diagnostics": run.diagnostics,
    }
