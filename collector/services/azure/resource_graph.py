"""The subscription list surfaces that Azure Resource Graph can answer for a whole estate.

Each surface here is a subscription-level ARM listing folded into an aggregate. Resource Graph
carries the same resources with the same `id`, `name` and `properties` in its `resources` and
`securityresources` tables, so one query over up to 1,000 subscriptions, with its rows routed
to each subscription's aggregate by `subscriptionId`, yields exactly what each subscription's
own listing would. Surfaces that cannot be exact stay on ARM, for reasons docs/graph-endpoints.md
gives (A1 is a single GET; A3 and A4 include assignments inherited from management groups,
which a subscription-scoped query does not return; A20 reports ARM's spelling of each resource
type, which Resource Graph lower-cases; A5 is a summary; A18 is not in Resource Graph).

A surface's values are used only when every one of its queries succeeded and proved whole;
otherwise that surface is left to the per-subscription path, which then reports its own
failures (the contract's "only the final source's failure is reported").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from collector.clients.arm_context import Aggregate, Listing
from collector.clients.resource_graph import MAX_SUBSCRIPTIONS, ROUTE, ResourceGraphReader
from collector.core import json_paths as jp
from collector.core.outcomes import Failure, Kind, SurfaceError
from collector.core.registry import outcome_of
from collector.core.tasks import run_all
from collector.services.azure import (
    backup,
    compute,
    defender,
    keyvault,
    network,
    sql,
    storage,
)

# key → lower-cased subscription ID → the surface's value for that subscription.
Prefetched = Mapping[str, Mapping[str, Any]]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class GraphSurface:
    """One list surface: its ARM listing (whose route names the resource type), the aggregate
    it folds into, and how the aggregate becomes the surface's value (as its `fetch` does)."""

    listing: Listing
    aggregate: Callable[[], Aggregate]
    finish: Callable[[Any], Any] = _same

    @property
    def resource_type(self) -> str:
        """`microsoft.storage/storageaccounts`: how Resource Graph spells the listing's type."""
        return self.listing.suffix.removeprefix("/providers/").lower()

    @property
    def query(self) -> str:
        table = (
            "securityresources"
            if self.resource_type.startswith("microsoft.security/")
            else "resources"
        )
        return f"{table} | where type =~ '{self.resource_type}' | order by id asc"


SURFACES: Final[Mapping[str, GraphSurface]] = {
    "A2": GraphSurface(defender.ASSESSMENTS, defender.PatchAssessments),
    "A6": GraphSurface(storage.STORAGE_ACCOUNTS, storage.StorageAccounts),
    "A7": GraphSurface(keyvault.VAULTS, keyvault.KeyVaults),
    "A8": GraphSurface(sql.SERVERS, sql.SqlServers),
    "A11": GraphSurface(compute.VIRTUAL_MACHINES, compute.VirtualMachines),
    "A12": GraphSurface(compute.PUBLIC_IPS, compute.PublicIps),
    "A13": GraphSurface(backup.VAULTS, backup.RecoveryVaults, list),
    "A17": GraphSurface(network.SECURITY_GROUPS, network.SecurityGroups),
    "A22": GraphSurface(defender.PRICINGS, defender.DefenderPlans),
    "A25": GraphSurface(network.WATCHERS, network.ResourceIds),
    "A27": GraphSurface(network.VIRTUAL_NETWORKS, network.ResourceIds),
}


def batches(subscriptions: Sequence[str]) -> list[Sequence[str]]:
    return [
        subscriptions[start : start + MAX_SUBSCRIPTIONS]
        for start in range(0, len(subscriptions), MAX_SUBSCRIPTIONS)
    ]


async def fetch_surface(
    reader: ResourceGraphReader, key: str, subscriptions: Sequence[str]
) -> dict[str, Any]:
    """One surface for every subscription (lower-cased ID → value); raises SurfaceError when
    a query fails, is not whole, or returns a row of a subscription it was not asked about."""
    surface = SURFACES[key]
    sinks = {sub.lower(): surface.aggregate() for sub in subscriptions}
    for batch in batches(subscriptions):
        async for rows in reader.pages(surface.query, batch):
            for row in rows:
                sink = sinks.get(jp.text(row, "subscriptionId").lower())
                if sink is None:
                    raise SurfaceError(
                        Failure.of(Kind.DECODE, "arm", ROUTE.text(), "row of another subscription")
                    )
                sink.add(row)
    return {sub: surface.finish(sink) for sub, sink in sinks.items()}


async def prefetch(
    reader: ResourceGraphReader, keys: Iterable[str], subscriptions: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Every surface of `keys` that Resource Graph answered whole; the rest are left out."""
    answered: dict[str, dict[str, Any]] = {}

    async def one(key: str) -> None:
        # As on the ARM path: any failure but a fatal one leaves only this surface unanswered
        # (and the per-subscription listings then answer it).
        outcome = await outcome_of(key, lambda: fetch_surface(reader, key, subscriptions))
        if outcome.available and outcome.value is not None:
            answered[key] = outcome.value

    await run_all(one(key) for key in keys if key in SURFACES)
    return answered
