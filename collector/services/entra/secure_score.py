"""G12 Microsoft Secure Score: the newest snapshot's percentage (first page only)."""

from __future__ import annotations

from collector.graph import GraphQuery, GraphReader
from collector.metrics import is_number, pctf
from collector.surfaces import Failure, SurfaceError

QUERY = GraphQuery(lambda client: client.security.secure_scores, top=1)


async def fetch(reader: GraphReader) -> int:
    """`pctf(currentScore, maxScore)`; an empty list or unusable maximum is cause `empty`."""
    page = await reader.first_page(QUERY, not_found_is_cause=True)
    first = page[0] if page else None
    if first is None:
        raise SurfaceError(Failure("empty"))
    maximum = first.get("maxScore")
    if not is_number(maximum):
        raise SurfaceError(Failure("empty"))
    score = pctf(first.get("currentScore"), maximum)
    if score is None:
        raise SurfaceError(Failure("empty"))
    return score
