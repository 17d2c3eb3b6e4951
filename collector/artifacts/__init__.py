"""Artifact shapes, in contract key order (§4, §5). Builders are pure functions of results."""

from __future__ import annotations

from typing import Any


def drop_nulls(block: dict[str, Any]) -> dict[str, Any]:
    """Normalized artifacts omit unknown leaves instead of writing null (§4.3)."""
    return {key: value for key, value in block.items() if value is not None}
