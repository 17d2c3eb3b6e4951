"""epack collector for Microsoft Entra ID and Azure posture (aggregate-only evidence).

The supported library API: open a `Session` on an azure-identity credential, then call the
service modules under `collector.services.entra` (with `session.graph`) and
`collector.services.azure` (with `session.subscription(id)`). See docs/library.md.

Names load on first use: the collector's own process must not import the SDKs before its
config and credentials are checked (a config error answers in a tenth of a second).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from collector._version import __version__

if TYPE_CHECKING:
    from collector.clients.arm_context import SubscriptionContext
    from collector.clients.graph import GraphReader
    from collector.clients.session import Session
    from collector.core.clouds import Cloud, CustomEndpoints, cloud_for
    from collector.core.outcomes import Failure, Outcome, SurfaceError
    from collector.library import arm_context, graph_reader

_EXPORTS = {
    "Cloud": "collector.core.clouds",
    "CustomEndpoints": "collector.core.clouds",
    "cloud_for": "collector.core.clouds",
    "Failure": "collector.core.outcomes",
    "Outcome": "collector.core.outcomes",
    "SurfaceError": "collector.core.outcomes",
    "GraphReader": "collector.clients.graph",
    "Session": "collector.clients.session",
    "SubscriptionContext": "collector.clients.arm_context",
    "arm_context": "collector.library",
    "graph_reader": "collector.library",
}

__all__ = [
    "Cloud",
    "CustomEndpoints",
    "Failure",
    "GraphReader",
    "Outcome",
    "Session",
    "SubscriptionContext",
    "SurfaceError",
    "__version__",
    "arm_context",
    "cloud_for",
    "graph_reader",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'collector' has no attribute {name!r}")
