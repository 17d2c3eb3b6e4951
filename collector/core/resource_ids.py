"""ARM resource IDs from responses, checked before they become request paths (§7.1.6).

An ID only ever becomes a path on the ARM origin, and only when every customer-chosen segment
sits where route sanitization replaces it; anything else is `invalid resource id`.
"""

from __future__ import annotations

from dataclasses import dataclass


def usable(resource_id: str) -> bool:
    return (
        resource_id.lower().startswith("/subscriptions/")
        and not any(mark in resource_id for mark in ("?", "#", "..", "//"))
        and not any(ch.isspace() for ch in resource_id)
    )


def _segments(resource_id: str) -> list[str]:
    return resource_id.strip("/").split("/")


def keyword_value(resource_id: str, keyword: str) -> str | None:
    """The non-empty segment after the first ci `keyword` segment."""
    segments = _segments(resource_id)
    for index, segment in enumerate(segments[:-1]):
        if segment.lower() == keyword.lower() and segments[index + 1]:
            return segments[index + 1]
    return None


@dataclass(frozen=True)
class ChildParent:
    """A parent resource (SQL server, Recovery Services vault) located by its ID."""

    resource_group: str
    name: str


def parent_of(resource_id: str, type_keyword: str) -> ChildParent | None:
    """resourceGroups and `<type_keyword>` names of a usable ID, or None (A9, A14–A16)."""
    if not usable(resource_id):
        return None
    values = [
        keyword_value(resource_id, k)
        for k in ("subscriptions", "resourceGroups", "providers", type_keyword)
    ]
    if any(value is None for value in values):
        return None
    return ChildParent(resource_group=values[1] or "", name=values[3] or "")


def has_resource_shape(resource_id: str) -> bool:
    """/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}…]."""
    if not usable(resource_id):
        return False
    segments = _segments(resource_id)
    if len(segments) < 8 or len(segments) % 2 != 0 or not all(segments):
        return False
    return (
        segments[0].lower() == "subscriptions"
        and segments[2].lower() == "resourcegroups"
        and segments[4].lower() == "providers"
    )
