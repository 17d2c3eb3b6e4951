"""Contract §4.4 arithmetic, with the contract's own examples."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from collector.core.metrics import hour_age, parse_timestamp, pct, pctf


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [
        (1, 8, 13),
        (2, 3, 67),
        (1, 3, 33),
        (1, 200, 1),
        (0, 5, 0),
        (3, 0, None),
        (1, None, None),
        (None, 4, None),
        (5, 4, 100),
        (1, 2, 50),
        (3, 8, 38),
        (5, 8, 63),
    ],
)
def test_pct_rounds_half_away_from_zero(n: int | None, d: int | None, expected: int | None) -> None:
    assert pct(n, d) == expected


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (0.125, 1, 13),
        (41.5, 83, 50),
        (1, 3, 33),
        (0.0, 1, 0),
        (5, 0, None),
        (True, 1, None),
        (float("nan"), 1, None),
        ("1", 2, None),
        (3, 2, 100),
        (-1, 2, 0),
    ],
)
def test_pctf(x: Any, y: Any, expected: int | None) -> None:
    assert pctf(x, y) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-26T14:12:09Z", datetime(2026, 5, 26, 14, 12, 9, tzinfo=UTC)),
        ("2026-05-26t14:12:09.1234567z", datetime(2026, 5, 26, 14, 12, 9, 123456, tzinfo=UTC)),
        ("2026-05-26T16:12:09+02:00", datetime(2026, 5, 26, 14, 12, 9, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("2026-05-26 14:12:09Z", None),
        ("2026-02-30T00:00:00Z", None),
        ("", None),
        (None, None),
        (17, None),
    ],
)
def test_parse_timestamp(text: Any, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_hour_age_rounds_half_away() -> None:
    now = datetime(2026, 1, 2, 0, 0, 0, tzinfo=UTC)
    assert hour_age(now, datetime(2026, 1, 1, 22, 30, 0, tzinfo=UTC)) == 2  # 1.5 h → 2
    assert hour_age(now, datetime(2026, 1, 1, 22, 31, 0, tzinfo=UTC)) == 1  # 1.48 h → 1
