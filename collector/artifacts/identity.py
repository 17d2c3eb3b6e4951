"""The azure account's `identity` block (v1.1 §V.8): Azure role holders joined with Entra ID.

Who holds Owner (or another role that can change access) on a subscription comes from A3; whether
they are MFA-registered, disabled, inactive, deleted or guests comes from the Entra surfaces
already read (G3, G4, G5), and whether an owning service principal signs in with a password
from G10/G11 by object ID and `appId`. No extra request is made; nothing but counts leaves.
"""

from __future__ import annotations

from typing import Any

from collector.collection.results import EntraResults, SubscriptionResults
from collector.core.metrics import pct
from collector.services.azure.rbac import OwnerAssignments
from collector.services.entra.apps import Applications, EnterpriseApps
from collector.services.entra.registration import RegistrationReport
from collector.services.entra.users import SignInActivity, UserDirectory


def _inactive(
    holders: set[str], users: UserDirectory | None, activity: SignInActivity | None
) -> int | None:
    """Disabled, inactive for 90 days (or never seen signing in), or no longer in the directory."""
    if users is None or activity is None:
        return None
    return sum(
        1
        for x in holders
        if x not in users.user_ids
        or x in users.disabled_ids
        or activity.inactive_by_id.get(x, True)
    )


def _password_owners(
    owners: set[str], principals: EnterpriseApps | None, applications: Applications | None
) -> int | None:
    """Owning service principals whose own object, or whose application (same `appId`), holds
    an unexpired password credential."""
    if principals is None or applications is None:
        return None

    def has_password(principal: str) -> bool:
        if principal in principals.with_password:
            return True
        app_id = principals.app_id_by_principal.get(principal)
        return bool(app_id) and app_id in applications.app_ids_with_password

    return sum(1 for owner in owners if has_password(owner))


def build(account: SubscriptionResults, entra: EntraResults) -> dict[str, Any] | None:
    """None (omitted) when A3 is unavailable."""
    roles: OwnerAssignments | None = account.value("A3")
    if roles is None:
        return None
    users: UserDirectory | None = entra.value("G3")
    report: RegistrationReport | None = entra.value("G4")
    owners, holders = roles.owner_users, roles.privileged_users
    return {
        "owner_users_count": len(owners),
        "owner_users_mfa_registered_pct": (
            pct(report.count(owners, "mfa_registered"), len(owners)) if report else None
        ),
        "privileged_users_count": len(holders),
        "privileged_users_inactive_count": _inactive(holders, users, entra.value("G5")),
        "privileged_guests_count": len(holders & users.guest_ids) if users else None,
        "owner_service_principals_with_password_count": _password_owners(
            roles.owner_service_principals, entra.value("G10"), entra.value("G11")
        ),
    }
