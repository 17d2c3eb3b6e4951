"""Azure Resource Graph, as the simulator serves it: tables derived from the ARM estate.

Every subscription-level provider listing the scenario holds (`/subscriptions/{id}/providers/
{namespace}/{type}`) becomes rows of one table: `securityresources` for Microsoft.Security,
`resources` for the rest. A row is the ARM item with Resource Graph's own columns added:
`type` lower-cased, `subscriptionId`, `resourceGroup`. Rows are only visible for the
subscriptions named in the request.

The query language understood is a small subset of KQL, parsed here on its own terms (not from
the product's query builder): `<table>` followed by `| where` clauses joined with `and`
(`col =~ 'x'`, `col == 'x'`, `col in~ ('x', ...)`), `| order by col [asc|desc]` and
`| project col, ...`. Anything else gets the 400 Resource Graph answers an invalid query with.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]
Predicate = Callable[[Row], bool]

TABLES = ("resources", "securityresources", "policyresources", "authorizationresources")
MAX_TOP = 1000
MAX_SUBSCRIPTIONS = 1000
_PROVIDER_LISTING = re.compile(r"/subscriptions/([^/]+)/providers/([^/]+)/([^/]+)", re.I)
_GROUP = re.compile(r"/resourcegroups/([^/]+)/", re.I)
_CONDITION = re.compile(
    r"\s*(\w+)\s*(?:(=~|==)\s*'([^']*)'|in~\s*\(((?:\s*'[^']*'\s*,?)+)\))\s*", re.I
)


class InvalidQuery(ValueError):
    pass


def invalid(message: str) -> tuple[int, Any]:
    return 400, {
        "error": {
            "code": "BadRequest",
            "message": "Please provide below info when asking for support: timestamp, "
            "correlationId.",
            "details": [
                {
                    "code": "InvalidQuery",
                    "message": "Query is invalid. Please refer to the documentation for the "
                    "Azure Resource Graph service and fix the error before retrying.",
                },
                {"code": "ParserFailure", "message": message},
            ],
        }
    }


def tables(collections: dict[str, list[Row]]) -> dict[str, list[Row]]:
    """Each table's rows (one per subscription and resource ID), from the scenario's provider
    listings (hand-built estates reuse IDs across subscriptions; Azure never does)."""
    built: dict[str, dict[str, Row]] = {name: {} for name in TABLES}
    for path, items in collections.items():
        match = _PROVIDER_LISTING.fullmatch(path)
        if match is None:
            continue
        sub, namespace, kind = match.groups()
        resource_type = f"{namespace}/{kind}".lower()
        table = "securityresources" if namespace.lower() == "microsoft.security" else "resources"
        if kind.lower() == "policyassignments":
            table = "policyresources"
        elif namespace.lower() == "microsoft.authorization":
            table = "authorizationresources"
        for index, item in enumerate(items):
            identifier = str(item.get("id") or f"{path}/{item.get('name', index)}")
            group = _GROUP.search(identifier)
            built[table][f"{sub}|{identifier}".lower()] = {
                **item,
                "id": identifier,
                "type": resource_type,
                "subscriptionId": sub,
                "resourceGroup": group.group(1).lower() if group else "",
            }
    return {name: list(rows.values()) for name, rows in built.items()}


def _condition(text: str) -> Predicate:
    match = _CONDITION.fullmatch(text)
    if match is None:
        raise InvalidQuery(f"unsupported condition: {text.strip()[:60]}")
    column, operator, value, listed = match.groups()
    if listed is not None:
        wanted = {v.lower() for v in re.findall(r"'([^']*)'", listed)}
        return lambda row: str(row.get(column, "")).lower() in wanted
    if operator == "==":
        return lambda row: str(row.get(column, "")) == value
    return lambda row: str(row.get(column, "")).lower() == value.lower()


def run_query(query: str, all_tables: dict[str, list[Row]], subscriptions: set[str]) -> list[Row]:
    """The rows of `query` over `subscriptions` (lower-cased IDs), or InvalidQuery."""
    stages = [stage.strip() for stage in query.split("|")]
    table = stages[0].lower()
    if table not in all_tables:
        raise InvalidQuery(f"unknown table: {stages[0][:60]}")
    rows = [row for row in all_tables[table] if row["subscriptionId"].lower() in subscriptions]
    for stage in stages[1:]:
        verb, _, rest = stage.partition(" ")
        if verb == "where":
            predicates = [_condition(part) for part in re.split(r"\s+and\s+", rest)]
            rows = [row for row in rows if all(p(row) for p in predicates)]
        elif verb == "order" and rest.startswith("by "):
            column, _, direction = rest[3:].strip().partition(" ")
            if direction not in ("", "asc", "desc"):
                raise InvalidQuery(f"unsupported order: {rest[:60]}")
            rows.sort(key=lambda row: str(row.get(column, "")).lower(), reverse=direction == "desc")
        elif verb == "project":
            columns = [column.strip() for column in rest.split(",")]
            rows = [{c: row[c] for c in columns if c in row} for row in rows]
        else:
            raise InvalidQuery(f"unsupported operator: {verb[:30]}")
    return rows


def answer(body: bytes, all_tables: dict[str, list[Row]]) -> tuple[int, Any]:
    """A `POST /providers/Microsoft.ResourceGraph/resources` request's status and document."""
    try:
        request = json.loads(body)
        query = request["query"]
        subscriptions = {str(s).lower() for s in request.get("subscriptions", [])}
        options = request.get("options") or {}
        top = int(options.get("$top", 100))
        start = int(options.get("$skipToken", "0") or 0)
    except (ValueError, KeyError, TypeError):
        return invalid("request body is not a query request")
    if not 1 <= top <= MAX_TOP or not 1 <= len(subscriptions) <= MAX_SUBSCRIPTIONS:
        return invalid("$top or subscriptions out of range")
    if options.get("resultFormat", "objectArray") != "objectArray":
        return invalid("only the objectArray result format is simulated")
    try:
        rows = run_query(query, all_tables, subscriptions)
    except InvalidQuery as error:
        return invalid(str(error))
    page = rows[start : start + top]
    document: dict[str, Any] = {
        "totalRecords": len(rows),
        "count": len(page),
        "data": page,
        "facets": [],
        "resultTruncated": "false",
    }
    if start + top < len(rows):
        document["$skipToken"] = str(start + top)
    return 200, document
