"""Azure Resource Graph queries through the official `azure-mgmt-resourcegraph` client.

One query covers up to 1,000 subscriptions; its rows come back 1,000 at a time, continued with
`$skipToken` in the request body (not a next link). The request is the SDK's own request
builder (URL, api-version, headers) sent through the client's pipeline on the shared guarded
transport, like every ARM listing; rows are read as raw JSON.

A page set is accepted only when it is provably whole: the service did not mark it truncated,
and the rows received add up to the first page's `totalRecords`. Anything else is a
`SurfaceError`, so the caller can fall back to the per-subscription listings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Final

from azure.mgmt.resourcegraph.aio import ResourceGraphClient
from azure.mgmt.resourcegraph.operations._resource_graph_client_operations import (
    build_resources_request,
)

from collector.clients.arm import ArmClients, ArmRoute, ArmScope
from collector.clients.paging import MAX_PAGES, JsonObject, page_cap
from collector.core.outcomes import Failure, Kind, SurfaceError

ROUTE: Final = ArmRoute("/providers/Microsoft.ResourceGraph/resources")
MAX_SUBSCRIPTIONS: Final = 1000  # per query (the service's limit)
PAGE_ROWS: Final = 1000  # the most `$top` allows


def _incomplete(problem: str) -> SurfaceError:
    return SurfaceError(Failure.of(Kind.DECODE, "arm", ROUTE.text(), problem))


def _rows(document: JsonObject) -> list[JsonObject]:
    """`data` in the `objectArray` format: a list of row objects."""
    data = document.get("data")
    if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
        raise _incomplete("Resource Graph answered without a row list")
    return data


class ResourceGraphReader:
    """Runs read-only Resource Graph queries; one instance serves a whole run."""

    def __init__(self, clients: ArmClients, scope: ArmScope) -> None:
        self._clients = clients
        self._scope = scope

    def _request(self, query: str, subscriptions: Sequence[str], skip_token: str | None) -> Any:
        options: dict[str, Any] = {"$top": PAGE_ROWS, "resultFormat": "objectArray"}
        if skip_token is not None:
            options["$skipToken"] = skip_token
        body = {"subscriptions": list(subscriptions), "query": query, "options": options}
        request = build_resources_request(content_type="application/json", json=body)
        request.url = self._clients.cloud.resource_manager + request.url
        return request

    async def pages(
        self, query: str, subscriptions: Sequence[str]
    ) -> AsyncIterator[list[JsonObject]]:
        """Every row of `query` over `subscriptions` (at most 1,000 of them), page by page."""
        if len(subscriptions) > MAX_SUBSCRIPTIONS:
            raise ValueError(f"at most {MAX_SUBSCRIPTIONS} subscriptions per query")
        async with self._clients.create(ResourceGraphClient) as client:
            skip_token: str | None = None
            expected: int | None = None
            received = 0
            for _ in range(MAX_PAGES):
                request = self._request(query, subscriptions, skip_token)
                document = await self._scope.send(client, request, ROUTE)
                if str(document.get("resultTruncated", "false")).lower() != "false":
                    raise _incomplete("Resource Graph truncated the result")
                total = document.get("totalRecords")
                if expected is None:
                    if isinstance(total, bool) or not isinstance(total, int):
                        raise _incomplete("Resource Graph answered without totalRecords")
                    expected = total
                rows = _rows(document)
                received += len(rows)
                yield rows
                token = document.get("$skipToken")
                if not isinstance(token, str) or not token:
                    if received != expected:
                        raise _incomplete("Resource Graph rows do not add up to totalRecords")
                    return
                skip_token = token
            raise page_cap("arm", ROUTE.text())
