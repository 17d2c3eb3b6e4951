"""The one place where text that may carry customer data is made safe (contract §6.6).

Routes keep only the structure of a request (service paths, provider namespaces and resource
types, query parameter names); every customer-chosen segment and every query value is replaced.
Free text (only ever a token-endpoint description on stderr) is scrubbed of secrets, JWTs,
quoted names, emails and foreign GUIDs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import unquote

_PARAM_NAME_RE: Final = re.compile(r"\$?[A-Za-z][A-Za-z0-9_-]{0,39}")
_JWT_RE: Final = re.compile(r"[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
_BEARER_RE: Final = re.compile(r"bearer\s+\S+", re.IGNORECASE)
_QUOTED_RE: Final = re.compile(r"'[^'\r\n]*'")
_EMAIL_RE: Final = re.compile(r"\S+@\S+\.\S+")
_GUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
FREE_TEXT_LIMIT: Final = 300


def _sanitize_path(path: str) -> str:
    segments = path.split("/")
    out: list[str] = []
    index = 0
    while index < len(segments):
        segment = segments[index]
        lowered = segment.lower()
        out.append(segment)
        index += 1
        if lowered == "subscriptions" and index < len(segments):
            out.append("[subscription_id]")
            index += 1
        elif lowered == "resourcegroups" and index < len(segments):
            out.append("[resource_group]")
            index += 1
        elif lowered == "providers" and index < len(segments):
            out.append(segments[index])  # namespace, e.g. Microsoft.Sql
            index += 1
            while index < len(segments) and segments[index].lower() != "providers":
                resource_type = segments[index]
                out.append(resource_type)
                index += 1
                if index < len(segments):
                    out.append(f"[{resource_type.lower()}]")
                    index += 1
    return "/".join(out)


def _query_names(query: str) -> str:
    names: set[str] = set()
    for pair in query.split("&"):
        if not pair:
            continue
        name = unquote(pair.split("=", 1)[0])
        names.add(name if _PARAM_NAME_RE.fullmatch(name) else "[param]")
    return "?" + "&".join(sorted(names)) if names else ""


def sanitize_route(path: str, query: str | None) -> str:
    """Route form of §6.6.1 for a service-relative `path` and a raw query string (or None)."""
    return _sanitize_path(path) + (_query_names(query) if query else "")


def scrub_free_text(text: str, secrets: Iterable[str], allowed_guids: Iterable[str]) -> str:
    """Scrub a service description for stderr in the order §6.6.3 prescribes."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "[REDACTED]")
    text = _JWT_RE.sub("[REDACTED_JWT]", text)
    text = _BEARER_RE.sub("Bearer [REDACTED]", text)
    text = _QUOTED_RE.sub("'[redacted]'", text)
    text = _EMAIL_RE.sub("[email]", text)
    allowed = {guid.lower() for guid in allowed_guids}
    text = _GUID_RE.sub(lambda m: m.group(0) if m.group(0).lower() in allowed else "[id]", text)
    return text[:FREE_TEXT_LIMIT]
