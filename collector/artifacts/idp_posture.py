"""`artifacts/microsoft-cloud.idp-posture.json`, schema `evidencepack/idp-posture@v1` (§5.3)."""

from __future__ import annotations

from typing import Any

from collector.artifacts import drop_nulls

PATH = "artifacts/microsoft-cloud.idp-posture.json"
SCHEMA = "evidencepack/idp-posture@v1"


def build(entra: dict[str, Any]) -> dict[str, Any] | None:
    """Derive from the finished entra artifact; None when there is nothing to say."""
    posture = entra["posture"]
    users = entra["users"]
    user_security = drop_nulls(
        {
            "mfa_coverage_pct": posture["mfa_coverage"],
            "mfa_phishing_resistant_pct": posture["mfa_phishing_resistant"],
            "inactive_pct": users["inactive_pct"],
        }
    )
    document: dict[str, Any] = {
        "schema_version": "1.0.0",
        "collected_at": entra["collected_at"],
        "provider": "entra",
        "org_domain": entra["org_domain"],
        "user_security": user_security,
    }
    optional: dict[str, dict[str, Any]] = {}
    if posture["sso_coverage"] is not None:
        optional["app_security"] = {"sso_coverage_pct": posture["sso_coverage"]}
    privileged = entra.get("privileged_access")
    if privileged is not None:
        optional["privileged_access"] = drop_nulls(
            {
                "privileged_users_count": privileged["privileged_users_count"],
                "super_admin_count": privileged["super_admin_count"],
                "privileged_mfa_coverage_pct": privileged["privileged_mfa_coverage_pct"],
            }
        )
    if users["disabled_pct"] is not None:
        optional["lifecycle"] = {"suspended_pct": users["disabled_pct"]}
    policy = entra.get("policy")
    if policy is not None:
        leaves = drop_nulls(
            {
                "mfa_required": policy["mfa_required"],
                "mfa_required_coverage_pct": policy["mfa_required_coverage_pct"],
                "legacy_auth_blocked": policy["legacy_auth_blocked"],
            }
        )
        if leaves:
            optional["policy"] = leaves
    if not user_security and not optional:
        return None
    for key in ("app_security", "privileged_access", "lifecycle", "policy"):
        if key in optional:
            document[key] = optional[key]
    return document
