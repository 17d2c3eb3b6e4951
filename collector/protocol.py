"""stdout discipline for the epack collector protocol (contract §3.3).

stdout carries only protocol lines; this module is the only writer. Everything else (warnings,
fatal errors) goes to stderr through `say`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from collector._version import __version__

if TYPE_CHECKING:  # the artifact model imports the SDKs, which load only after config checks
    from collector.artifacts.pack import Artifact

PROTOCOL_VERSION = 1
DESCRIPTION = "Collects Microsoft Entra ID and Azure security posture metrics"


def capabilities_document() -> str:
    return json.dumps(
        {
            "kind": "collector",
            "name": "microsoft-cloud",
            "version": __version__,
            "protocol_version": PROTOCOL_VERSION,
            "description": DESCRIPTION,
        },
        indent=2,
    )


class ProtocolWriter:
    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out if out is not None else sys.stdout

    def _line(self, document: dict[str, Any]) -> None:
        self._out.write(json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n")
        self._out.flush()

    def status(self, message: str) -> None:
        self._line(
            {
                "type": "epack_progress",
                "protocol_version": PROTOCOL_VERSION,
                "kind": "status",
                "message": message,
            }
        )

    def progress(self, message: str, current: int, total: int) -> None:
        self._line(
            {
                "type": "epack_progress",
                "protocol_version": PROTOCOL_VERSION,
                "kind": "progress",
                "message": message,
                "current": current,
                "total": total,
            }
        )

    def result(self, artifacts: list[Artifact]) -> None:
        entries: list[dict[str, Any]] = []
        for artifact in artifacts:
            entry: dict[str, Any] = {"data": artifact.data}
            if artifact.schema:
                entry["schema"] = artifact.schema
            entry["path"] = artifact.path
            entries.append(entry)
        envelope = {
            "type": "epack_result",
            "protocol_version": PROTOCOL_VERSION,
            "artifacts": entries,
        }
        self._out.write(json.dumps(envelope, indent=2, ensure_ascii=False) + "\n")
        self._out.flush()


def say(text: str) -> None:
    """One line on stderr (never stdout)."""
    sys.stderr.write(text.rstrip("\n") + "\n")
    sys.stderr.flush()
