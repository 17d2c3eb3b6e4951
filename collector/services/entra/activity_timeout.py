"""G17 `/policies/activityBasedTimeoutPolicies`: the tenant-wide web idle timeout (§V.9).

Each policy's `definition` is a list of JSON documents in strings; only the organization
default policies' `ApplicationId: default` entry counts (per-app overrides are ignored).
Policy names are never read.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp

# §V.3 sends no query options: names arrive, and are dropped at the page.
QUERY = GraphQuery(lambda client: client.policies.activity_based_timeout_policies)
_DURATION: Final = re.compile(r"(?:(\d{1,5})\.)?(\d{1,2}):(\d{2}):(\d{2})")
MAX_DEFINITION_CHARS: Final = 64 * 1024


def idle_minutes(duration: Any) -> int | None:
    """`[d.]hh:mm:ss` in whole minutes, rounded up; None when it does not parse."""
    match = _DURATION.fullmatch(duration) if isinstance(duration, str) else None
    if match is None:
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    if minutes > 59 or seconds > 59:
        return None
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return math.ceil(total / 60)


def _default_timeouts(definitions: Iterable[str]) -> Iterable[int]:
    for text in definitions:
        if len(text) > MAX_DEFINITION_CHARS:
            continue
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            continue
        for entry in jp.objects(document, "ActivityBasedTimeoutPolicy", "ApplicationPolicies"):
            if jp.lower(entry, "ApplicationId") == "default":
                minutes = idle_minutes(entry.get("WebSessionIdleTimeout"))
                if minutes is not None:
                    yield minutes


def organization_timeouts(policies: Iterable[dict[str, Any]]) -> list[int]:
    """The default-app idle timeouts of the organization-default policies, in minutes."""
    return [
        minutes
        for policy in policies
        if policy.get("isOrganizationDefault") is True
        for minutes in _default_timeouts(jp.strings(policy, "definition"))
    ]


async def fetch(reader: GraphReader) -> int | None:
    """The largest organization-default idle timeout, or None when no policy sets one."""
    found: list[int] = []
    async for page in reader.pages(QUERY):
        found.extend(organization_timeouts(page))
    return max(found) if found else None
