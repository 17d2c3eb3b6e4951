"""G12 Microsoft Secure Score: the newest snapshot's percentage (first page only)."""

from __future__ import annotations

from typing import Any

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.metrics import is_number, pctf
from collector.core.outcomes import Failure, SurfaceError

QUERY = GraphQuery(lambda client: client.security.secure_scores, top=1)


async def fetch(reader: GraphReader) -> int | None:
    """`pctf(currentScore, maxScore)`.

    An empty list or a maximum that is absent, non-numeric or ≤ 0 is cause `empty` (§6.2); a
    usable maximum with a non-numeric current score is a null value but not a failure.
    """
    page = await reader.first_page(QUERY, not_found_is_cause=True)
    first = page[0] if page else None
    maximum: Any = first.get("maxScore") if first is not None else None
    if first is None or not is_number(maximum) or maximum <= 0:
        raise SurfaceError(Failure.empty())
    return pctf(first.get("currentScore"), maximum)
