"""`artifacts/microsoft-cloud.entra.json` (contract §5.1), built from surface aggregates.

Each function builds one block in contract key order; a field reads only the surfaces its
contract row names, and is null when any of them is unavailable.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from collector.artifacts import conditional_access
from collector.collection.results import EntraResults, RunResults
from collector.core.metrics import format_timestamp, pct
from collector.services.entra.activity import DirectoryActivity, SignInMonitoring
from collector.services.entra.apps import Applications, EnterpriseApps, combined
from collector.services.entra.conditional_access import ConditionalAccess
from collector.services.entra.registration import RegistrationReport
from collector.services.entra.roles import RoleAssignments
from collector.services.entra.users import SignInActivity, UserDirectory

PATH = "artifacts/microsoft-cloud.entra.json"


def _posture(entra: EntraResults) -> dict[str, Any]:
    users: UserDirectory | None = entra.value("G3")
    report: RegistrationReport | None = entra.value("G4")
    apps: EnterpriseApps | None = entra.value("G10")
    members = users.enabled_member_ids if users else set()

    def member_pct(attribute: str) -> int | None:
        if users is None or report is None:
            return None
        return pct(report.count(members, attribute), len(members))

    return {
        "mfa_coverage": member_pct("mfa_registered"),
        "mfa_phishing_resistant": member_pct("phishing_resistant"),
        "mfa_weak_method_only": member_pct("weak_only"),
        "sspr_registered": member_pct("sspr_registered"),
        "sso_coverage": pct(apps.sso_count, apps.enabled_count) if apps else None,
        "denominator_enabled_member_users": len(members) if users else None,
    }


def _users(entra: EntraResults) -> dict[str, Any]:
    users: UserDirectory | None = entra.value("G3")
    activity: SignInActivity | None = entra.value("G5")
    return {
        "total_count": users.total_count if users else None,
        "enabled_member_users_count": users.enabled_member_count if users else None,
        "guest_pct": users.guest_pct if users else None,
        "disabled_pct": users.disabled_pct if users else None,
        "inactive_pct": activity.inactive_pct if activity else None,
        "inactive_guest_pct": activity.inactive_guest_pct if activity else None,
    }


def _policy(entra: EntraResults) -> dict[str, Any] | None:
    policies: ConditionalAccess | None = entra.value("G6")
    defaults: bool | None = entra.value("G7")
    users: UserDirectory | None = entra.value("G3")
    keys = (
        "mfa_required",
        "mfa_required_coverage_pct",
        "admin_portals_mfa_required",
        "all_cloud_apps_mfa_required",
        "compliant_device_required",
        "legacy_auth_blocked",
        "policy_count",
    )
    if policies is None:
        if defaults is None:
            return None  # case C: block omitted
        block: dict[str, Any] = dict.fromkeys(keys)
        block["mfa_required_coverage_pct"] = 100 if defaults else 0  # case B
        return block
    members = users.enabled_member_ids if users else set()
    coverage = pct(len(policies.covered(members)), len(members)) if users else None
    return {
        "mfa_required": policies.any_policy(lambda p: p.requires_mfa and p.all_users),
        "mfa_required_coverage_pct": coverage,
        "admin_portals_mfa_required": policies.any_policy(
            lambda p: p.requires_mfa and p.admin_portals
        ),
        "all_cloud_apps_mfa_required": policies.any_policy(lambda p: p.requires_mfa and p.all_apps),
        "compliant_device_required": policies.any_policy(
            lambda p: (
                p.requires_compliant_or_joined_device
                and (p.admin_portals or p.all_users or p.includes_roles)
            )
        ),
        "legacy_auth_blocked": policies.any_policy(lambda p: p.blocks and p.legacy_clients),
        "policy_count": len(policies.enabled_policies),
    }


def _privileged(entra: EntraResults) -> dict[str, Any] | None:
    users: UserDirectory | None = entra.value("G3")
    assignments: RoleAssignments | None = entra.value("G8")
    if users is None or assignments is None:
        return None
    report: RegistrationReport | None = entra.value("G4")
    eligible: int | None = entra.value("G9")
    activity: SignInActivity | None = entra.value("G5")
    records = assignments.for_users(users.user_ids)
    privileged = {record.principal_id for record in records}
    standing = len(records)
    inactive = None
    if activity is not None and privileged:
        inactive = sum(1 for x in privileged if activity.inactive_by_id.get(x, True))
    return {
        "super_admin_count": len({r.principal_id for r in records if r.global_admin}),
        "privileged_users_count": len(privileged),
        "privileged_mfa_coverage_pct": (
            pct(report.count(privileged, "mfa_registered"), len(privileged)) if report else None
        ),
        "privileged_phishing_resistant_pct": (
            pct(report.count(privileged, "phishing_resistant"), len(privileged)) if report else None
        ),
        "pim_eligible_pct": pct(eligible, eligible + standing) if eligible is not None else None,
        "standing_assignment_count": standing if eligible is not None else None,
        "inactive_privileged_users_count": inactive,
        "privileged_guest_count": len(privileged & users.guest_ids),
        "privileged_cloud_only_pct": pct(len(privileged - users.synced_ids), len(privileged)),
        "privileged_non_user_assignments_count": assignments.non_user_count(users.user_ids),
    }


def root_admin_mfa(entra: EntraResults) -> bool | None:
    """RA of §5.1.6: every Global Administrator user is MFA-registered; None when unknown."""
    users: UserDirectory | None = entra.value("G3")
    assignments: RoleAssignments | None = entra.value("G8")
    report: RegistrationReport | None = entra.value("G4")
    if users is None or assignments is None or report is None:
        return None
    admins = {r.principal_id for r in assignments.for_users(users.user_ids) if r.global_admin}
    if not admins:
        return None
    return all(report.of(admin).mfa_registered for admin in admins)


def _apps(entra: EntraResults) -> dict[str, Any] | None:
    principals: EnterpriseApps | None = entra.value("G10")
    applications: Applications | None = entra.value("G11")
    if principals is None and applications is None:
        return None
    credentials = (
        combined(principals.credentials, applications.credentials)
        if principals is not None and applications is not None
        else None
    )
    return {
        "enabled_enterprise_apps_count": principals.enabled_count if principals else None,
        "assignment_required_pct": (
            pct(principals.assignment_required_count, principals.enabled_count)
            if principals
            else None
        ),
        "credentials_expiring_count": credentials.expiring if credentials else None,
        "credentials_expired_count": credentials.expired if credentials else None,
        "credentials_over_365d_count": credentials.over_365d if credentials else None,
        "password_credentials_pct": (
            pct(credentials.active_password, credentials.active) if credentials else None
        ),
    }


def _app_credentials(entra: EntraResults) -> dict[str, Any] | None:
    """§V.7: omitted when G10 and G11 are both unavailable; every field needs both."""
    principals: EnterpriseApps | None = entra.value("G10")
    applications: Applications | None = entra.value("G11")
    if principals is None and applications is None:
        return None
    if principals is None or applications is None:
        return dict.fromkeys(
            (
                "expiring_7d_count",
                "expiring_90d_count",
                "no_expiry_count",
                "password_lifetime_over_180d_count",
                "certificate_lifetime_over_365d_count",
                "applications_with_password_count",
                "lifetime_days_buckets",
            )
        )
    credentials = combined(principals.credentials, applications.credentials)
    return {
        "expiring_7d_count": credentials.expiring_7d,
        "expiring_90d_count": credentials.expiring_90d,
        "no_expiry_count": credentials.no_expiry,
        "password_lifetime_over_180d_count": credentials.password_over_180d,
        "certificate_lifetime_over_365d_count": credentials.certificate_over_365d,
        "applications_with_password_count": applications.with_password_count,
        "lifetime_days_buckets": dict(credentials.lifetime_buckets),
    }


def _policy_block(entra: EntraResults, key: str) -> dict[str, Any] | None:
    """A tenant policy block (§V.5, §V.6): its fields as the service reduced them."""
    value = entra.value(key)
    return asdict(value) if value is not None else None


def v11_blocks(run: RunResults) -> dict[str, dict[str, Any] | None]:
    """The v1.1 top-level blocks, in §V.4–§V.7 order (None = omitted)."""
    return {
        "conditional_access": conditional_access.build(run.entra, run.emergency_access_accounts),
        "authentication_methods": _policy_block(run.entra, "G16"),
        "authorization": _policy_block(run.entra, "G15"),
        "app_credentials": _app_credentials(run.entra),
    }


def build(run: RunResults) -> dict[str, Any]:
    entra = run.entra
    document: dict[str, Any] = {
        "schema_version": "1.1.0",
        "collected_at": format_timestamp(run.now),
        "collected_at_level": run.level,
        "tenant_id": entra.organization.tenant_id,
        "org_domain": entra.organization.org_domain,
        "posture": _posture(entra),
        "users": _users(entra),
    }
    optional = {
        "policy": _policy(entra),
        "security_defaults": {"enabled": entra.value("G7")}
        if entra.value("G7") is not None
        else None,
        "privileged_access": _privileged(entra),
        "apps": _apps(entra),
    }
    document.update({key: block for key, block in optional.items() if block is not None})
    document["secure_score"] = {"identity_pct": entra.value("G12")}
    if run.level == "internal":
        for key, name in (("G13", "directory_activity"), ("G14", "sign_in_monitoring")):
            logs: DirectoryActivity | SignInMonitoring | None = entra.value(key)
            if logs is not None:
                document[name] = logs.block()
    document.update({key: block for key, block in v11_blocks(run).items() if block is not None})
    document["diagnostics"] = run.diagnostics
    return document
