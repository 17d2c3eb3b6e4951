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

    def roles_of(self, principal_id: str) -> set[str]:
        """The role GUIDs assigned directly to one principal (not through a group)."""
        return self.roles_by_principal.get(principal_id.lower(), set())

    def add(self, assignment: dict[str, Any]) -> None:
        principal = jp.lower(assignment, "properties", "principalId")
        if principal:
            self.roles_by_principal.setdefault(principal, set()).add(role_guid(assignment))
        if is_owner(assignment):
            self.owner_count += 1
            self.owner_service_principal_count += (
                jp.lower(assignment, "properties", "principalType") == "serviceprincipal"
            )


async def fetch(ctx: SubscriptionContext) -> OwnerAssignments:
    return await ctx.fold(ROLE_ASSIGNMENTS, OwnerAssignments())
