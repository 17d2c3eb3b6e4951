"""G15 `/policies/authorizationPolicy`: the tenant's default user and guest permissions (§V.6).

These are the settings CIS and CISA's SCuBA baseline check first (who may register apps,
consent, invite guests). Only booleans and Microsoft's own enum spellings leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp
from collector.core.config import is_guid

QUERY = GraphQuery(lambda client: client.policies.authorization_policy)
INVITE_SETTINGS: Final = {
    value.lower(): value
    for value in ("none", "adminsAndGuestInviters", "adminsGuestInvitersAndAllMembers", "everyone")
}
GUEST_ROLES: Final = {
    "a0b1b346-4d3e-4e8b-98f8-753987be4970": "same_as_members",
    "10dae51f-b6af-4016-8d66-8c2a99b929b3": "limited",
    "2af84b1e-32c8-42b7-82bc-daa82404023b": "restricted",
}
SELF_CONSENT_PREFIX: Final = "managepermissiongrantsforself."


@dataclass(frozen=True)
class AuthorizationPolicy:
    """The `authorization` block of §V.6, in its key order."""

    users_can_register_apps: bool | None
    users_can_consent_to_apps: bool | None
    users_can_create_tenants: bool | None
    users_can_create_security_groups: bool | None
    guest_invites_from: str | None
    guest_access_level: str | None
    email_verified_self_join_allowed: bool | None
    msol_powershell_blocked: bool | None


def _flag(document: Any, *path: str) -> bool | None:
    value = jp.get(document, *path)
    return value if isinstance(value, bool) else None


def _invites(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return INVITE_SETTINGS.get(value.lower(), "other")


def _guest_level(value: Any) -> str | None:
    """A GUID outside the three built-in guest roles is `other`; anything else is absent."""
    if not isinstance(value, str) or not is_guid(value.strip()):
        return None
    return GUEST_ROLES.get(value.strip().lower(), "other")


def reduce(document: dict[str, Any]) -> AuthorizationPolicy:
    defaults = jp.get(document, "defaultUserRolePermissions")
    grants = jp.get(defaults, "permissionGrantPoliciesAssigned")
    consent = (
        any(
            g.lower().startswith(SELF_CONSENT_PREFIX)
            for g in jp.strings(defaults, "permissionGrantPoliciesAssigned")
        )
        if isinstance(grants, list)
        else None
    )
    return AuthorizationPolicy(
        users_can_register_apps=_flag(defaults, "allowedToCreateApps"),
        users_can_consent_to_apps=consent,
        users_can_create_tenants=_flag(defaults, "allowedToCreateTenants"),
        users_can_create_security_groups=_flag(defaults, "allowedToCreateSecurityGroups"),
        guest_invites_from=_invites(document.get("allowInvitesFrom")),
        guest_access_level=_guest_level(document.get("guestUserRoleId")),
        email_verified_self_join_allowed=_flag(
            document, "allowEmailVerifiedUsersToJoinOrganization"
        ),
        msol_powershell_blocked=_flag(document, "blockMsolPowerShell"),
    )


async def fetch(reader: GraphReader) -> AuthorizationPolicy:
    return reduce(await reader.get_object(QUERY))
