"""How each ARM surface of one subscription is collected: the runner per registry key.

The scheduler (collection.scheduler) decides when each runs, from the registry's parents and
gates; this table only says which service call answers which surface. Per-item surfaces (A9,
A10, A14–A16, A19, A23, A24, A26) keep every failed call's Failure, so diagnostics can report
each one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collector.clients.arm_context import SubscriptionContext
from collector.collection.scheduler import Outcomes, Runner, collect_scope, fetched, per_item
from collector.core.outcomes import Outcome, SurfaceResults
from collector.core.registry import monitored_resources, outcome_of
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


def _backup_children(ctx: SubscriptionContext) -> Runner:
    """A14–A16 come from one walk over the vaults of A13."""

    async def run(key: str, results: SurfaceResults) -> Outcomes:
        walk = await outcome_of(key, lambda: backup.fetch_children(ctx, results.value("A13")))
        estate = walk.value
        if estate is None:
            return dict.fromkeys(("A14", "A15", "A16"), walk)
        return {
            "A14": Outcome(estate, estate.item_failures),
            "A15": Outcome(estate, estate.policy_failures),
            "A16": Outcome(estate, estate.job_failures),
        }

    return run


def runners(ctx: SubscriptionContext) -> dict[str, Runner]:
    """The runner of every subscription surface, bound to one subscription."""
    return {
        "A1": fetched(lambda _: defender.fetch_secure_score(ctx)),
        "A2": fetched(lambda _: defender.fetch_assessments(ctx)),
        "A3": fetched(lambda _: rbac.fetch(ctx)),
        "A4": fetched(lambda _: policy.fetch_assignment_count(ctx)),
        "A5": fetched(lambda _: policy.fetch_compliance(ctx)),
        "A6": fetched(lambda _: storage.fetch(ctx)),
        "A7": fetched(lambda _: keyvault.fetch(ctx)),
        "A8": fetched(lambda _: sql.fetch_servers(ctx)),
        "A9": per_item(lambda results: sql.fetch_databases(ctx, results.value("A8"))),
        "A10": per_item(lambda results: sql.fetch_tde(ctx, results.value("A9"))),
        "A11": fetched(lambda _: compute.fetch_virtual_machines(ctx)),
        "A12": fetched(lambda _: compute.fetch_public_ips(ctx)),
        "A13": fetched(lambda _: backup.fetch_vaults(ctx)),
        "A14": _backup_children(ctx),
        "A17": fetched(lambda _: network.fetch(ctx)),
        "A18": fetched(lambda _: monitoring.fetch_subscription_settings(ctx)),
        "A19": per_item(
            lambda results: monitoring.fetch_resource_coverage(
                ctx, monitored_resources(results) or []
            )
        ),
        "A20": fetched(lambda _: inventory.fetch(ctx)),
        "A22": fetched(lambda _: defender.fetch_plans(ctx)),
        "A23": per_item(lambda results: sql.fetch_auditing(ctx, results.value("A8"))),
        "A24": per_item(lambda results: sql.fetch_administrators(ctx, results.value("A8"))),
        "A25": fetched(lambda _: network.fetch_watchers(ctx)),
        "A26": per_item(lambda results: network.fetch_flow_log_targets(ctx, results.value("A25"))),
        "A27": fetched(lambda _: network.fetch_virtual_networks(ctx)),
    }


def _answered(value: Any) -> Runner:
    """A surface already answered for this subscription (by Resource Graph)."""

    async def run(key: str, results: SurfaceResults) -> Outcomes:
        return {key: Outcome(value)}

    return run


async def collect_subscription(
    ctx: SubscriptionContext,
    level: str,
    results: SurfaceResults,
    answered: Mapping[str, Any] | None = None,
) -> None:
    """Fill `results` for one readable subscription (the caller has already probed it);
    surfaces in `answered` take that value instead of being fetched."""
    table = runners(ctx)
    table.update({key: _answered(value) for key, value in (answered or {}).items()})
    await collect_scope("subscription", level, table, results)
