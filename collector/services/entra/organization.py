"""G1 `/organization`: the tenant's ID and one verified domain; the run's one mandatory call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.config import is_guid
from collector.core.errors import AuthError, ConfigError, FatalError, NetworkError
from collector.core.outcomes import SurfaceError
from collector.core.registry import surface

ROUTE = surface("G1").route


@dataclass(frozen=True)
class Organization:
    tenant_id: str
    org_domain: str


QUERY = GraphQuery(lambda client: client.organization, select=("id", "verifiedDomains"))


def _domain_name(entry: dict[str, Any]) -> str:
    name = entry.get("name")
    return name if isinstance(name, str) else ""


def pick_org_domain(domains: Any) -> str:
    """Default domain, else first non-initial, else first named (§5.1.1)."""
    entries = [d for d in domains if isinstance(d, dict)] if isinstance(domains, list) else []
    named = [d for d in entries if _domain_name(d)]
    default = [d for d in named if d.get("isDefault") is True]
    non_initial = [d for d in named if d.get("isInitial") is not True]
    for candidates in (default, non_initial, named):
        if candidates:
            return _domain_name(candidates[0])
    return ""


def parse(document: dict[str, Any]) -> Organization | None:
    """The first organization object, or None when the response carries none usable."""
    value = document.get("value")
    first = value[0] if isinstance(value, list) and value else None
    if not isinstance(first, dict):
        return None
    tenant_id = first.get("id")
    if not isinstance(tenant_id, str) or not is_guid(tenant_id):
        return None
    return Organization(
        tenant_id=tenant_id, org_domain=pick_org_domain(first.get("verifiedDomains"))
    )


def _fatal_for(error: SurfaceError) -> FatalError:
    failure = error.failure
    if failure.cause == "deadline":
        return NetworkError("collection deadline exceeded before the tenant organization was read")
    message = failure.detail or f"graph request {ROUTE} failed"
    if failure.status in (400, 404):
        return ConfigError(message)
    if failure.status in (401, 403):
        return AuthError(message)
    return NetworkError(message)


async def fetch(reader: GraphReader) -> Organization:
    """Read G1; any failure is fatal with the exit code of contract §3.5."""
    try:
        document = await reader.get_object(QUERY, licence_applies=False)
    except SurfaceError as error:
        raise _fatal_for(error) from None
    organization = parse(document)
    if organization is None:
        raise ConfigError(f"graph request {ROUTE} returned no organization")
    return organization
