"""A3 RBAC role assignments at subscription scope and above (`atScope()`).

Owner counts for the artifact, and each principal's role definition GUIDs, which are join keys
only (the collector's own roles for diagnostics.permissions); no ID is ever output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from azure.mgmt.authorization.aio import AuthorizationManagementClient
from azure.mgmt.authorization.v2022_04_01.operations._role_assignments_operations import (
    build_list_for_subscription_request,
)

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp

OWNER_ROLE: Final = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
# Roles that can change the subscription or grant access to it (v1.1 §V.8): Owner,
# Contributor, User Access Administrator, Role Based Access Control Administrator.
PRIVILEGED_ROLES: Final = frozenset(
    {
        OWNER_ROLE,
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    }
)


ROLE_ASSIGNMENTS = Listing(
    AuthorizationManagementClient,
    lambda sub: build_list_for_subscription_request(subscription_id=sub, filter="atScope()"),
    "/providers/Microsoft.Authorization/roleAssignments",
)


def role_guid(assignment: dict[str, Any]) -> str:
    """The role definition's GUID: the last segment of `properties.roleDefinitionId`."""
    return jp.lower(assignment, "properties", "roleDefinitionId").rstrip("/").rsplit("/", 1)[-1]


def is_owner(assignment: dict[str, Any]) -> bool:
    role = jp.lower(assignment, "properties", "roleDefinitionId")
    return role == OWNER_ROLE or role.endswith("/" + OWNER_ROLE)


@dataclass
class OwnerAssignments:
    owner_count: int = 0
    owner_service_principal_count: int = 0
    roles_by_principal: dict[str, set[str]] = field(default_factory=dict)
    owner_users: set[str] = field(default_factory=set)  # AU({OWN}) of §V.8
    privileged_users: set[str] = field(default_factory=set)  # AU({OWN, CON, UAA, RBA})
    owner_service_principals: set[str] = field(default_factory=set)

    def roles_of(self, principal_id: str) -> set[str]:
        """The role GUIDs assigned directly to one principal (not through a group)."""
        return self.roles_by_principal.get(principal_id.lower(), set())

    def add(self, assignment: dict[str, Any]) -> None:
        principal = jp.lower(assignment, "properties", "principalId")
        role = role_guid(assignment)
        kind = jp.lower(assignment, "properties", "principalType")
        if principal:
            self.roles_by_principal.setdefault(principal, set()).add(role)
            if kind == "user" and role in PRIVILEGED_ROLES:
                self.privileged_users.add(principal)
                if role == OWNER_ROLE:
                    self.owner_users.add(principal)
            if kind == "serviceprincipal" and role == OWNER_ROLE:
                self.owner_service_principals.add(principal)
        if is_owner(assignment):
            self.owner_count += 1
            self.owner_service_principal_count += (
                jp.lower(assignment, "properties", "principalType") == "serviceprincipal"
            )


async def fetch(ctx: SubscriptionContext) -> OwnerAssignments:
    return await ctx.fold(ROLE_ASSIGNMENTS, OwnerAssignments())
