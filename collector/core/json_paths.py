"""Reading ARM JSON the way contract §4.4 says: absent, null or mistyped values are empty."""

from __future__ import annotations

import json
from typing import Any


def decode_object(body: bytes | str) -> dict[str, Any] | None:
    """A JSON object body, or None for anything else: undecodable, nested too deeply for the
    parser, or a JSON value that is not an object. Never raises."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def get(document: Any, *path: str) -> Any:
    """`document[p0][p1]…`, or None as soon as a step is not an object or lacks the key."""
    value = document
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(document: Any, *path: str) -> str:
    value = get(document, *path)
    return value if isinstance(value, str) else ""


def lower(document: Any, *path: str) -> str:
    return text(document, *path).lower()


def objects(document: Any, *path: str) -> list[dict[str, Any]]:
    value = get(document, *path)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def strings(document: Any, *path: str) -> list[str]:
    value = get(document, *path)
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def is_true(document: Any, *path: str) -> bool:
    return get(document, *path) is True


def is_false(document: Any, *path: str) -> bool:
    return get(document, *path) is False


def resource_id(document: Any) -> str:
    """The lower-cased `id` (for joins only; never output)."""
    return lower(document, "id")
