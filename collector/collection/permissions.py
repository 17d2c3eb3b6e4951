"""diagnostics.permissions (v1.1 §V.10): the access the collector actually ran with.

Graph's side is the token's `roles` claim; Azure's is the role assignments A3 lists for the
collector's own identity (the ARM token's `oid`). `read_only` is the headline an auditor wants:
true only when every granted Graph permission is a read permission and no Azure role can write.
Roles held through a group are not seen (a documented limitation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from collector.core.outcomes import SurfaceResults
from collector.core.registry import GROUP_MEMBERSHIP, scope_surfaces
from collector.services.azure.rbac import OwnerAssignments

GROUP_MEMBERSHIP_ALTERNATIVES: Final = (
    "GroupMember.ReadBasic.All",
    "Group.Read.All",
    "Directory.Read.All",
)
AZURE_ROLE_NAMES: Final = {
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "39bc4728-0917-49c7-9d2c-d95423bc2eb4": "Security Reader",
    "43d0d8ad-25c7-4714-9337-8ba259a9fe05": "Monitoring Reader",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "RBAC Administrator",
}
WRITE_ROLES: Final = frozenset(
    {"Owner", "Contributor", "User Access Administrator", "RBAC Administrator"}
)


def required_graph_roles() -> list[str]:
    """§7.2's permission set: every Graph surface's permission (G18's optional one included)."""
    return sorted(
        {
            row.permission
            for row in scope_surfaces("tenant", include_mandatory=True)
            if row.permission
        }
    )


def is_read_only(role: str) -> bool:
    """A Graph permission is read-only when one of its dot-separated segments is Read/ReadBasic."""
    return any(segment.lower() in ("read", "readbasic") for segment in role.split("."))


# A Graph permission name as Microsoft spells them (`Policy.Read.All`); anything else in the
# claim is not printed.
_ROLE_NAME: Final = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}(\.[A-Za-z][A-Za-z0-9]{0,63}){1,4}")


def _granted(claims: Mapping[str, Any] | None) -> list[str] | None:
    roles = claims.get("roles") if claims is not None else None
    if not isinstance(roles, list):
        return None
    return sorted({r for r in roles if isinstance(r, str) and _ROLE_NAME.fullmatch(r)})


def azure_role_names(assignments: OwnerAssignments, principal_id: str) -> list[str]:
    return sorted(
        {AZURE_ROLE_NAMES.get(guid, "other") for guid in assignments.roles_of(principal_id)}
    )


def permissions(
    claims: Mapping[str, Mapping[str, Any] | None],
    subscriptions: Sequence[tuple[str, SurfaceResults]],
) -> dict[str, Any]:
    """The block, from the tokens' claims and each collected subscription's A3 results."""
    granted = _granted(claims.get("graph"))
    arm = claims.get("arm", {}) if subscriptions else {}
    oid = arm.get("oid") if isinstance(arm, Mapping) else None
    if granted is None or (subscriptions and not isinstance(oid, str)):
        return {
            "graph_roles_granted": [],
            "graph_roles_missing": [],
            "graph_roles_not_read_only": [],
            "azure_roles": {},
            "read_only": None,
        }
    held = set(granted)
    if held & set(GROUP_MEMBERSHIP_ALTERNATIVES):
        held.add(GROUP_MEMBERSHIP)
    azure: dict[str, list[str]] = {}
    for subscription_id, results in subscriptions:
        assignments: OwnerAssignments | None = results.value("A3")
        if assignments is not None and isinstance(oid, str):
            azure[subscription_id] = azure_role_names(assignments, oid)
    not_read_only = [role for role in granted if not is_read_only(role)]
    roles = {role for names in azure.values() for role in names}
    read_only: bool | None
    if not_read_only or roles & WRITE_ROLES:
        read_only = False
    elif "other" in roles:
        read_only = None
    else:
        read_only = True
    return {
        "graph_roles_granted": granted,
        "graph_roles_missing": [role for role in required_graph_roles() if role not in held],
        "graph_roles_not_read_only": not_read_only,
        "azure_roles": azure,
        "read_only": read_only,
    }
