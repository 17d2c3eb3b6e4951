"""G18 `/groups/{id}/transitiveMembers`: the users behind each group a CA policy names (§V.3).

Only `id` and `@odata.type` are read; rows that are not users (nested groups are already
flattened by `transitiveMembers`, devices and service principals are not people) are dropped.
Group IDs are join keys and never printed: every call reports the same fixed route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.metrics import object_id
from collector.core.outcomes import Failure, SurfaceError
from collector.core.per_item import per_item
from collector.core.registry import surface

USER_TYPE: Final = "#microsoft.graph.user"
QUERY = GraphQuery(
    lambda client: client.groups,  # replaced per group by `query_for`
    select=("id",),
    top=999,
    route=surface("G18").route,
)

# `--preflight` proves the permission without a group ID: listing groups needs the same one.
PERMISSION_PROBE = GraphQuery(lambda client: client.groups, select=("id",), top=1)

# The members of each group that could be read; a group missing here is unknown.
GroupMembers = dict[str, frozenset[str]]


def query_for(group_id: str) -> GraphQuery:
    return replace(
        QUERY,
        builder=lambda client: client.groups.by_group_id(group_id).transitive_members,
    )


async def fetch_group(reader: GraphReader, group_id: str) -> frozenset[str]:
    """The user IDs of one group; a 404 (deleted but still referenced) is no members."""
    members: set[str] = set()
    try:
        async for page in reader.pages(query_for(group_id)):
            for row in page:
                kind, raw = row.get("@odata.type"), row.get("id")
                if (
                    isinstance(kind, str)
                    and kind.lower() == USER_TYPE
                    and isinstance(raw, str)
                    and raw
                ):
                    members.add(object_id(raw))
    except SurfaceError as error:
        if error.failure.status == 404:
            return frozenset()
        raise
    return frozenset(members)


def _denied(failure: Failure) -> bool:
    """A missing permission denies every group alike: stop after the first 403."""
    return failure.cause == "permission"


async def fetch(
    reader: GraphReader, groups: Sequence[str]
) -> tuple[GroupMembers, tuple[Failure, ...]]:
    values, failures = await per_item(
        "G18", groups, lambda group: fetch_group(reader, group), stop=_denied
    )
    known = {
        group: members for group, members in zip(groups, values, strict=True) if members is not None
    }
    return known, failures
