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
FRAGMENT: Final = 8  # a run of this many characters of a secret is treated as the secret
# An error code we may print (§6.5, tightened by issue 20): a letter, then letters, digits,
# `_`, `.` or `-`, at most 64 characters in all.
_CODE_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
UNRECOGNIZED_CODE: Final = "unrecognized"


def secret_spans(text: str, secrets: Iterable[str]) -> list[tuple[int, int]]:
    """Where `text` carries a run of at least FRAGMENT characters of any secret.

    Secrets are matched line by line and by fragment, so a secret with a newline, or a service
    that echoes only part of one, still never reaches output.
    """
    pieces = [line for secret in secrets for line in secret.splitlines() if len(line) >= FRAGMENT]
    marked = [False] * len(text)
    for start in range(len(text) - FRAGMENT + 1):
        window = text[start : start + FRAGMENT]
        if any(window in piece for piece in pieces):
            for index in range(start, start + FRAGMENT):
                marked[index] = True
    spans: list[tuple[int, int]] = []
    for index, secret in enumerate(marked):
        if secret and (not spans or spans[-1][1] != index):
            spans.append((index, index + 1))
        elif secret:
            spans[-1] = (spans[-1][0], index + 1)
    return spans


def redact_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with every run of a secret (whole, any line, any 8+ character fragment) replaced."""
    for start, end in reversed(secret_spans(text, list(secrets))):
        text = text[:start] + "[REDACTED]" + text[end:]
    return text


def printable_code(code: str, secrets: Iterable[str]) -> str | None:
    """An `error.code` as it may be printed: None when absent, `unrecognized` when it is not a
    plausible code or carries a fragment of any token or secret this run holds."""
    if not code:
        return None
    if not _CODE_RE.fullmatch(code) or secret_spans(code, secrets):
        return UNRECOGNIZED_CODE
    return code


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
    """Scrub a service description for stderr in the order §6.6.3 prescribes.

    Secrets go first and before any cutting, over the whole text: a description is cut to its
    first line only after this, so a secret's later lines cannot slip past as a line of their own.
    """
    text = redact_secrets(text, secrets)
    text = _JWT_RE.sub("[REDACTED_JWT]", text)
    text = _BEARER_RE.sub("Bearer [REDACTED]", text)
    text = _QUOTED_RE.sub("'[redacted]'", text)
    text = _EMAIL_RE.sub("[email]", text)
    allowed = {guid.lower() for guid in allowed_guids}
    text = _GUID_RE.sub(lambda m: m.group(0) if m.group(0).lower() in allowed else "[id]", text)
    return text[:FREE_TEXT_LIMIT]
