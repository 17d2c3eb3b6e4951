"""Reading a pack as epack writes it: a zip with `manifest.json` and `artifacts/…`, or a
directory that holds the same `artifacts/` (an extracted pack, or `make demo`'s output).

Every way the input can be wrong ends in one `ReportInputError` that says what was expected,
so the command can exit 2 with a message instead of a traceback.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The collector's four artifacts, by the short name the view uses for each.
ARTIFACTS: dict[str, str] = {
    "entra": "artifacts/microsoft-cloud.entra.json",
    "idp_posture": "artifacts/microsoft-cloud.idp-posture.json",
    "azure": "artifacts/microsoft-cloud.azure.json",
    "cloud_posture": "artifacts/microsoft-cloud.cloud-posture.json",
}
MANIFEST = "manifest.json"
#: Reads one member of the pack by its path, or None when the pack has no such member.
Reader = Callable[[str], bytes | None]
#: The collector's artifacts are a few KiB; anything far larger is not one of them.
MAX_MEMBER_BYTES = 16 * 1024 * 1024


class ReportInputError(Exception):
    """The input is not a readable pack of this collector's artifacts (exit 2)."""


@dataclass(frozen=True)
class Pack:
    """The microsoft-cloud artifacts of one pack, parsed, and the manifest facts shown."""

    artifacts: dict[str, dict[str, Any]]
    generated_at: str | None = None
    pack_digest: str | None = None


def load_pack(path: Path) -> Pack:
    """The pack at `path`: an `.epack` zip, or a directory containing `artifacts/`."""
    if path.is_dir():
        return _from_directory(path)
    if not path.exists():
        raise ReportInputError(
            f"{path}: no such file or directory; give an .epack pack or a directory "
            "that contains artifacts/"
        )
    if not zipfile.is_zipfile(path):
        raise ReportInputError(
            f"{path} is neither an epack pack (a zip archive, as `epack collect -o` writes) "
            "nor a directory that contains artifacts/"
        )
    return _from_zip(path)


def _from_directory(path: Path) -> Pack:
    if not (path / "artifacts").is_dir():
        hint = "; give its parent directory" if path.name == "artifacts" else ""
        raise ReportInputError(f"{path} does not contain an artifacts/ directory{hint}")

    def read(name: str) -> bytes | None:
        member = path / name
        if not member.is_file():
            return None
        if member.stat().st_size > MAX_MEMBER_BYTES:
            raise ReportInputError(f"{member} is too large to be a microsoft-cloud artifact")
        return member.read_bytes()

    return _parse(str(path), read)


def _from_zip(path: Path) -> Pack:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}

            def read(name: str) -> bytes | None:
                info = members.get(name)
                if info is None:
                    return None
                if info.file_size > MAX_MEMBER_BYTES:
                    raise ReportInputError(f"{path}: {name} is too large to be an artifact")
                return archive.read(info)

            return _parse(str(path), read)
    except (zipfile.BadZipFile, OSError) as error:
        raise ReportInputError(f"{path}: the pack cannot be read ({error})") from None


def _parse(where: str, read: Reader) -> Pack:
    artifacts: dict[str, dict[str, Any]] = {}
    for kind, name in ARTIFACTS.items():
        raw = read(name)
        if raw is not None:
            artifacts[kind] = _object(where, name, raw)
    if not artifacts:
        raise ReportInputError(
            f"{where} holds no microsoft-cloud artifacts (artifacts/microsoft-cloud.*.json); "
            "was it collected with epack-collector-microsoft-cloud?"
        )
    raw_manifest = read(MANIFEST)
    manifest = _object(where, MANIFEST, raw_manifest) if raw_manifest is not None else {}
    return Pack(
        artifacts=artifacts,
        generated_at=_text(manifest.get("generated_at")),
        pack_digest=_text(manifest.get("pack_digest")),
    )


def _object(where: str, name: str, raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportInputError(f"{where}: {name} is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise ReportInputError(f"{where}: {name} is not a JSON object")
    return document


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
