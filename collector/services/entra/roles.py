"""G8 directory role assignments and G9 PIM eligibility schedules, privileged roles only.

Only principal object IDs and role template IDs are read (no `$expand=principal`, which would
download principals' names); records for non-privileged roles are dropped at the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader

GLOBAL_ADMINISTRATOR: Final = "62e90394-69f5-4237-9190-012177145e10"
PRIVILEGED_ROLES: Final = frozenset(
    {
        GLOBAL_ADMINISTRATOR,
        "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
        "194ae4cb-b126-40b2-bd5b-6091b380977d",  # Security Administrator
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",  # Conditional Access Administrator
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  # Application Administrator
        "158c047a-c907-4556-b7ef-446551a6b5f7",  # Cloud Application Administrator
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",  # Authentication Administrator
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
        "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
        "29232cdf-9323-42fd-ade2-1d097af3e4de",  # Exchange Administrator
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",  # SharePoint Administrator
    }
)
ASSIGNMENTS_QUERY = GraphQuery(
    lambda client: client.role_management.directory.role_assignments,
    select=("id", "principalId", "roleDefinitionId", "directoryScopeId"),
    top=999,
)
ELIGIBILITY_QUERY = GraphQuery(
    lambda client: client.role_management.directory.role_eligibility_schedules,
    expand=("roleDefinition",),
    top=999,
)


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


@dataclass(frozen=True)
class PrivilegedAssignment:
    principal_id: str
    global_admin: bool


@dataclass
class RoleAssignments:
    """Active assignments of privileged roles (any principal type; users are picked later),
    and every role's principals, which Conditional Access role conditions resolve against."""

    privileged: list[PrivilegedAssignment] = field(default_factory=list)
    principals_by_role: dict[str, set[str]] = field(default_factory=dict)

    def for_users(self, user_ids: set[str]) -> list[PrivilegedAssignment]:
        """PA of contract §5.0: the records whose principal is a listed user."""
        return [record for record in self.privileged if record.principal_id in user_ids]

    def non_user_count(self, user_ids: set[str]) -> int:
        """Privileged records whose principal is not a listed user (groups, apps; §V.7)."""
        return sum(1 for record in self.privileged if record.principal_id not in user_ids)

    def holders(self, role: str, user_ids: set[str]) -> frozenset[str]:
        """holders(r) of §V.4: the listed users directly assigned role template `r`."""
        return frozenset(self.principals_by_role.get(role, set()) & user_ids)


async def fetch_assignments(reader: GraphReader) -> RoleAssignments:
    assignments = RoleAssignments()
    async for page in reader.pages(ASSIGNMENTS_QUERY):
        for record in page:
            role = _lower(record.get("roleDefinitionId"))
            assignments.principals_by_role.setdefault(role, set()).add(
                _lower(record.get("principalId"))
            )
            if role in PRIVILEGED_ROLES:
                principal = _lower(record.get("principalId"))
                assignments.privileged.append(
                    PrivilegedAssignment(principal, role == GLOBAL_ADMINISTRATOR)
                )
    return assignments


def schedule_template(schedule: dict[str, Any]) -> str:
    definition = schedule.get("roleDefinition")
    template = definition.get("templateId") if isinstance(definition, dict) else None
    if isinstance(template, str) and template:
        return template.lower()
    return _lower(schedule.get("roleDefinitionId"))


async def fetch_eligible_count(reader: GraphReader) -> int:
    """E of contract §5.0: eligibility schedules of privileged roles, all principal types."""
    count = 0
    async for page in reader.pages(ELIGIBILITY_QUERY):
        count += sum(1 for schedule in page if schedule_template(schedule) in PRIVILEGED_ROLES)
    return count
