"""A20 resource inventory (audit level): counts, regions, tag coverage and top resource types.

Only resource types and counts leave this module; names, IDs and tag values are read for the
counts and dropped page by page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

from azure.mgmt.resource.resources.aio import ResourceManagementClient
from azure.mgmt.resource.resources.operations._operations import build_resources_list_request

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import pct
from collector.core.resource_ids import keyword_value

OWNER_KEYS: Final = frozenset(
    {"owner", "applicationowner", "businessowner", "serviceowner", "contact", "managedby"}
)
ENV_KEYS: Final = frozenset({"environment", "env", "stage"})
PRODUCTION: Final = frozenset({"prod", "production"})
TYPE_RE: Final = re.compile(r"[A-Za-z0-9._/-]{1,200}")
TOP_TYPES: Final = 10


RESOURCES = Listing(
    ResourceManagementClient,
    lambda sub: build_resources_list_request(subscription_id=sub),
    "/resources",
)


def norm_key(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalpha() or ch.isdecimal())


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def owner_tagged(tags: dict[str, Any]) -> bool:
    return any(norm_key(k) in OWNER_KEYS and _non_empty(v) for k, v in tags.items())


def environment_tag(tags: dict[str, Any]) -> str | None:
    """envTag(r): the non-empty environment tag whose original key sorts first."""
    candidates = sorted(k for k, v in tags.items() if norm_key(k) in ENV_KEYS and _non_empty(v))
    return tags[candidates[0]] if candidates else None


@dataclass
class Inventory:
    resources: int = 0
    owner_tagged: int = 0
    environment_tagged: int = 0
    production: int = 0
    resource_groups: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    type_counts: Counter[str] = field(default_factory=Counter)
    type_spellings: dict[str, str] = field(default_factory=dict)

    def add(self, resource: dict[str, Any]) -> None:
        self.resources += 1
        raw_tags = resource.get("tags")
        tags = raw_tags if isinstance(raw_tags, dict) else {}
        self.owner_tagged += owner_tagged(tags)
        environment = environment_tag(tags)
        if environment is not None:
            self.environment_tagged += 1
            self.production += environment.strip().lower() in PRODUCTION
        group = keyword_value(jp.text(resource, "id"), "resourceGroups")
        if group:
            self.resource_groups.add(group.lower())
        location = jp.text(resource, "location").strip().lower()
        if location:
            self.regions.add(location)
        resource_type = jp.text(resource, "type").strip()
        if TYPE_RE.fullmatch(resource_type):
            key = resource_type.lower()
            self.type_counts[key] += 1
            current = self.type_spellings.get(key)
            if current is None or resource_type < current:
                self.type_spellings[key] = resource_type

    def top_types(self) -> tuple[list[dict[str, Any]], int]:
        """At most ten `{type, count}` by count desc then type; and how many groups were dropped."""
        ordered = sorted(self.type_counts.items(), key=lambda item: (-item[1], item[0]))
        top = [
            {"type": self.type_spellings[key], "count": count} for key, count in ordered[:TOP_TYPES]
        ]
        return top, max(0, len(ordered) - TOP_TYPES)

    def block(self) -> dict[str, Any]:
        top, _ = self.top_types()
        return {
            "resources_count": self.resources,
            "resource_groups_count": len(self.resource_groups),
            "regions_count": len(self.regions),
            "owner_tag_coverage_pct": pct(self.owner_tagged, self.resources),
            "environment_tag_coverage_pct": pct(self.environment_tagged, self.resources),
            "production_resources_pct": pct(self.production, self.resources),
            "top_resource_types": top,
        }


async def fetch(ctx: SubscriptionContext) -> Inventory:
    return await ctx.fold(RESOURCES, Inventory())
