"""A3 RBAC role assignments at subscription scope and above (`atScope()`): Owner counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from azure.mgmt.authorization.aio import AuthorizationManagementClient

from collector.clients.arm_context import SubscriptionContext
from collector.core import json_paths as jp

OWNER_ROLE: Final = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def is_owner(assignment: dict[str, Any]) -> bool:
    role = jp.lower(assignment, "properties", "roleDefinitionId")
    return role == OWNER_ROLE or role.endswith("/" + OWNER_ROLE)


@dataclass
class OwnerAssignments:
    owner_count: int = 0
    owner_service_principal_count: int = 0

    def add(self, assignment: dict[str, Any]) -> None:
        if is_owner(assignment):
            self.owner_count += 1
            self.owner_service_principal_count += (
                jp.lower(assignment, "properties", "principalType") == "serviceprincipal"
            )


async def fetch(ctx: SubscriptionContext) -> OwnerAssignments:
    return await ctx.fold(
        AuthorizationManagementClient,
        lambda client: client.role_assignments.list_for_subscription(filter="atScope()"),
        "/providers/Microsoft.Authorization/roleAssignments",
        OwnerAssignments(),
    )
