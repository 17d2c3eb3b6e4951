"""Arithmetic and parsing rules shared by every metric (contract §4.4).

Percentages round half away from zero with integer arithmetic; Python's `round()` (banker's
rounding) is never used.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import UTC, datetime, timedelta
from typing import Any, Final

_TIMESTAMP_RE: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})"
)


def pct(numerator: int | None, denominator: int | None) -> int | None:
    """`100·n/d` rounded half away from zero, clamped to 0..100; None for unknown or d ≤ 0."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    value = (200 * numerator + denominator) // (2 * denominator)
    return max(0, min(100, value))


def object_id(raw: str) -> str:
    """An Entra object ID as a join key: compared case-insensitively (§5.0), stored once.

    Users, sign-in activity and registration details each keep 200,000 IDs on a large tenant;
    interning makes the three tables share one string per user instead of three (issue 8).
    """
    return sys.intern(raw.lower())


def is_number(value: Any) -> bool:
    """JSON numbers only: booleans, NaN, infinities and numeric strings are not numbers."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def round_half_away(value: float) -> int:
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def pctf(x: Any, y: Any) -> int | None:
    """Float percentage: None unless both are numbers and y > 0."""
    if not (is_number(x) and is_number(y)) or y <= 0:
        return None
    return max(0, min(100, round_half_away(100.0 * x / y)))


def parse_timestamp(value: Any) -> datetime | None:
    """RFC 3339 with 1–9 fraction digits (beyond six truncated); anything else is absent."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP_RE.fullmatch(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=UTC
        )
    except ValueError:
        return None
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
        try:
            moment = moment - sign * offset
        except OverflowError:
            return None
    return moment


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hour_age(now: datetime, then: datetime) -> int:
    return round_half_away((now - then).total_seconds() / 3600)
