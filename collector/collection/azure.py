"""Collects one subscription: every ARM surface, in dependency order, as concurrently as allowed.

Outcomes are stored by surface key (A1…A20) as they complete. Per-item surfaces (A9, A10,
A14–A16, A19) keep every failed call's Failure, so diagnostics can report each one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from collector.clients.arm_context import SubscriptionContext
from collector.core.outcomes import Outcome, record
from collector.services.azure import (
    backup,
    compute,
    defender,
    inventory,
    keyvault,
    monitoring,
    network,
    policy,
    rbac,
    sql,
    storage,
)

Outcomes = dict[str, Outcome[Any]]


def _available(outcomes: Outcomes, key: str) -> bool:
    outcome = outcomes.get(key)
    return outcome is not None and outcome.available


def _value(outcomes: Outcomes, key: str) -> Any:
    """The aggregate of an available surface, else None."""
    return outcomes[key].value if _available(outcomes, key) else None


async def _policy(ctx: SubscriptionContext, outcomes: Outcomes) -> None:
    """A4, then A5 unless the assignment count is exactly 0 (called when A4 failed)."""
    await record(outcomes, "A4", lambda: policy.fetch_assignment_count(ctx))
    if outcomes["A4"].value != 0 or not outcomes["A4"].available:
        await record(outcomes, "A5", lambda: policy.fetch_compliance(ctx))


async def _sql(ctx: SubscriptionContext, outcomes: Outcomes) -> None:
    """A8, A9 per server when A8 is available, A10 per database when A9 is complete."""
    await record(outcomes, "A8", lambda: sql.fetch_servers(ctx))
    servers: sql.SqlServers | None = _value(outcomes, "A8")
    if servers is None:
        return
    databases, failures = await sql.fetch_databases(ctx, servers)
    outcomes["A9"] = Outcome(databases, failures)
    if failures:
        return
    enabled, tde_failures = await sql.fetch_tde(ctx, databases)
    outcomes["A10"] = Outcome(enabled, tde_failures)


async def _backup(ctx: SubscriptionContext, outcomes: Outcomes) -> None:
    """A13, then A14–A16 for every vault when A13 is available."""
    await record(outcomes, "A13", lambda: backup.fetch_vaults(ctx))
    vaults: list[backup.Vault] | None = _value(outcomes, "A13")
    if vaults is None:
        return
    estate = await backup.fetch_children(ctx, vaults)
    outcomes["A14"] = Outcome(estate, estate.item_failures)
    outcomes["A15"] = Outcome(estate, estate.policy_failures)
    outcomes["A16"] = Outcome(estate, estate.job_failures)


def monitored_resources(outcomes: Outcomes) -> list[str] | None:
    """MON of §5.2.12: ids of SA, KV, SRV, DB, VMS in that order; None when any is unknown."""
    accounts: storage.StorageAccounts | None = _value(outcomes, "A6")
    vaults: keyvault.KeyVaults | None = _value(outcomes, "A7")
    servers: sql.SqlServers | None = _value(outcomes, "A8")
    databases: list[str] | None = _value(outcomes, "A9")
    machines: compute.VirtualMachines | None = _value(outcomes, "A11")
    if (
        accounts is None
        or vaults is None
        or servers is None
        or databases is None
        or machines is None
    ):
        return None
    return [
        *accounts.ids,
        *vaults.ids,
        *(i for i in servers.ids if i),
        *(i for i in databases if i),
        *machines.ids,
    ]


async def _diagnostics_coverage(ctx: SubscriptionContext, outcomes: Outcomes) -> None:
    monitored = monitored_resources(outcomes)
    if not monitored:
        return  # A19 is not called when MON is unknown or empty
    covered, failures = await monitoring.fetch_resource_coverage(ctx, monitored)
    outcomes["A19"] = Outcome(covered, failures)


async def collect_subscription(ctx: SubscriptionContext, level: str, outcomes: Outcomes) -> None:
    """Fill `outcomes` for one readable subscription (the caller has already probed it)."""
    independent: dict[str, Callable[[], Awaitable[Any]]] = {
        "A1": lambda: defender.fetch_secure_score(ctx),
        "A2": lambda: defender.fetch_assessments(ctx),
        "A3": lambda: rbac.fetch(ctx),
        "A6": lambda: storage.fetch(ctx),
        "A7": lambda: keyvault.fetch(ctx),
        "A11": lambda: compute.fetch_virtual_machines(ctx),
        "A12": lambda: compute.fetch_public_ips(ctx),
        "A17": lambda: network.fetch(ctx),
        "A18": lambda: monitoring.fetch_subscription_settings(ctx),
    }
    if level in ("audit", "internal"):
        independent["A20"] = lambda: inventory.fetch(ctx)
    await asyncio.gather(
        _policy(ctx, outcomes),
        _sql(ctx, outcomes),
        _backup(ctx, outcomes),
        *(record(outcomes, key, call) for key, call in independent.items()),
    )
    await _diagnostics_coverage(ctx, outcomes)


def expected_surfaces(level: str, outcomes: Outcomes) -> list[str]:
    """The ARM surfaces this subscription calls given what completed (for deadline causes)."""
    keys = ["A1", "A2", "A3", "A4", "A6", "A7", "A8", "A11", "A12", "A13", "A17", "A18"]
    if level in ("audit", "internal"):
        keys.append("A20")
    a4 = outcomes.get("A4")
    if a4 is None or not a4.available or a4.value != 0:
        keys.append("A5")
    if _available(outcomes, "A8"):
        keys.append("A9")
        if _available(outcomes, "A9"):
            keys.append("A10")
    if _available(outcomes, "A13"):
        keys += ["A14", "A15", "A16"]
    monitored = monitored_resources(outcomes)
    if monitored:
        keys.append("A19")
    return keys
