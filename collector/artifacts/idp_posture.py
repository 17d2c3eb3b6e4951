"""`artifacts/microsoft-cloud.idp-posture.json`, schema `evidencepack/idp-posture@v1` (§5.3)."""

from __future__ import annotations

from typing import Any

from collector.artifacts import drop_nulls

PATH = "artifacts/microsoft-cloud.idp-posture.json"
SCHEMA = "evidencepack/idp-posture@v1"


def _policy(entra: dict[str, Any], idle_timeout: int | None) -> dict[str, Any]:
    """The v1.0 leaves from entra `policy`, then the §V.9 ones; null leaves dropped."""
    policy = entra.get("policy") or {}
    enforcement = entra.get("conditional_access") or {}
    phishing_resistant = enforcement.get("phishing_resistant_enforced_privileged_pct")
    return drop_nulls(
        {
            "mfa_required": policy.get("mfa_required"),
            "mfa_required_coverage_pct": policy.get("mfa_required_coverage_pct"),
            "legacy_auth_blocked": policy.get("legacy_auth_blocked"),
            "session_lifetime_max_min": enforcement.get("session_lifetime_max_min"),
            "idle_timeout_max_min": idle_timeout,
            "phishing_resistant_required_for_privileged": (
                None if phishing_resistant is None else phishing_resistant == 100
            ),
        }
    )


def build(
    entra: dict[str, Any],
    idle_timeout: int | None = None,
    managed_device_required: bool | None = None,
) -> dict[str, Any] | None:
    """Derive from the finished entra artifact (and G17's idle timeout, which the entra
    artifact does not carry); None when there is nothing to say."""
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
                "privileged_phishing_resistant_pct": privileged[
                    "privileged_phishing_resistant_pct"
                ],
            }
        )
    if users["disabled_pct"] is not None:
        optional["lifecycle"] = {"suspended_pct": users["disabled_pct"]}
    if leaves := _policy(entra, idle_timeout):
        optional["policy"] = leaves
    if managed_device_required is not None:
        optional["device_access"] = {"managed_device_required": managed_device_required}
    if not user_security and not optional:
        return None
    for key in ("app_security", "privileged_access", "lifecycle", "policy", "device_access"):
        if key in optional:
            document[key] = optional[key]
    return document
