"""G7 security defaults enforcement policy: one boolean."""

from __future__ import annotations

from collector.clients.graph import GraphQuery, GraphReader

QUERY = GraphQuery(lambda client: client.policies.identity_security_defaults_enforcement_policy)


async def fetch(reader: GraphReader) -> bool:
    """`isEnabled is true`."""
    document = await reader.get_object(QUERY)
    return document.get("isEnabled") is True
