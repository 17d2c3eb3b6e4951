"""Orchestrates one run: tokens, the mandatory organization read, every scope, diagnostics.

The run owns ordering, the deadline and availability; service modules only fetch and
aggregate, and artifacts are shaped afterwards from the `RunResults` this returns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from collector.auth.credential_inputs import CredentialInputs
from collector.clients.session import Session
from collector.collection.azure import collect_subscription
from collector.collection.diagnostics import Diagnostics, SubscriptionReport
from collector.collection.entra import collect_tenant
from collector.collection.permissions import permissions
from collector.collection.progress import ListingCounts, Progress, SubscriptionProgress
from collector.collection.results import (
    Completeness,
    EntraResults,
    RunResults,
    SubscriptionResults,
)
from collector.core.config import Config
from collector.core.errors import NetworkError
from collector.core.outcomes import Failure, Kind, Outcome, SurfaceError
from collector.core.registry import MAX_CA_GROUPS, expected, surface
from collector.core.tasks import run_all
from collector.services.azure import resource_graph, subscription
from collector.services.azure.inventory import Inventory
from collector.services.entra import organization
from collector.services.entra.activity import SignInMonitoring
from collector.services.entra.conditional_access import ConditionalAccess

# More subscriptions in flight than run-wide ARM slots: ARM throttles reads per subscription
# (about 25 a second after a burst), so spreading the 16 slots over many subscriptions keeps
# each one under its limit, and no slow subscription leaves slots idle at the end.
CONCURRENT_SUBSCRIPTIONS: Final = 32


@dataclass
class Collection:
    """Mutable state of one run, filled as surfaces complete."""

    config: Config
    now: datetime
    entra: EntraResults = field(default_factory=EntraResults)
    probes: dict[str, Failure | None] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionResults] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    deadline_hit: bool = False
    claims: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # the tokens'


async def _collect_subscription(
    state: Collection,
    session: Session,
    slots: asyncio.Semaphore,
    sub: str,
    progress: SubscriptionProgress,
    answered: resource_graph.Prefetched,
) -> None:
    async with slots:
        state.started.add(sub)
        progress.started(sub)
        context = session.subscription(sub)
        try:
            await subscription.probe(context)
        except SurfaceError as error:
            state.probes[sub] = error.failure
        else:
            state.probes[sub] = None
            results = state.subscriptions[sub] = SubscriptionResults(subscription_id=sub)
            own = {key: values[sub.lower()] for key, values in answered.items()}
            await collect_subscription(context, state.config.level, results, own)
        progress.finished(sub)


def _finish_after_deadline(state: Collection) -> None:
    """Surfaces still running when the deadline hit are unavailable with cause `deadline`."""
    late = Outcome[Any](None, (Failure.deadline(),))
    for key in expected("tenant", state.config.level, state.entra):
        state.entra.outcomes.setdefault(key, late)
    for sub in state.config.subscription_ids:
        if sub not in state.started:
            continue  # reported as "not collected"
        if sub not in state.probes:
            state.probes[sub] = Failure.deadline()
        elif sub in state.subscriptions:
            results = state.subscriptions[sub]
            for key in expected("subscription", state.config.level, results):
                results.outcomes.setdefault(key, late)


def _truncation(state: Collection) -> dict[str, int]:
    """Lists cut to ten entries (§6.7): failure codes and each account's resource types; and
    Conditional Access groups beyond the expansion cap (§V.3)."""
    dropped: dict[str, int] = {}
    sign_ins: SignInMonitoring | None = state.entra.value("G14")
    if sign_ins is not None:
        dropped["sign_in_monitoring/top_failure_codes"] = sign_ins.top_failure_codes()[1]
    policies: ConditionalAccess | None = state.entra.value("G6")
    if policies is not None and len(policies.groups) > MAX_CA_GROUPS:
        dropped[surface("G18").truncation or ""] = len(policies.groups) - MAX_CA_GROUPS
    for sub, results in state.subscriptions.items():
        resources: Inventory | None = results.value("A20")
        if resources is not None:
            dropped[f"{sub}/inventory/top_resource_types"] = resources.top_types()[1]
    return {key: count for key, count in dropped.items() if count > 0}


def _diagnostics(state: Collection, completeness: Completeness) -> dict[str, Any]:
    reports = [
        SubscriptionReport(
            subscription_id=sub,
            probe_failure=state.probes.get(sub),
            not_started=sub not in state.started,
            surfaces=state.subscriptions[sub].outcomes if sub in state.subscriptions else {},
        )
        for sub in state.config.subscription_ids
    ]
    tier = state.entra.outcome("G2")
    return Diagnostics(
        truncation=_truncation(state),
        config_warnings=state.config.warnings,
        entra=state.entra.outcomes,
        entra_tier=str(tier.value) if tier.available else "unknown",
        subscriptions=reports,
        deadline_seconds=state.config.deadline_seconds if state.deadline_hit else None,
        completeness=completeness,
        permissions=permissions(
            state.claims,
            [  # config order: the block's keys never depend on which subscription finished first
                (sub, state.subscriptions[sub])
                for sub in state.config.subscription_ids
                if sub in state.subscriptions
            ],
        ),
    ).build()


def _completeness(state: Collection) -> Completeness:
    """§V.10: every (scope, surface) the rules call, G1 and each A0 included; which came back."""
    level = state.config.level
    tenant = expected("tenant", level, state.entra)
    expected_count = 1 + len(tenant)  # G1 succeeded, or the run would have ended
    collected = 1 + sum(state.entra.available(key) for key in tenant)
    for sub in state.config.subscription_ids:
        expected_count += 1  # A0
        results = state.subscriptions.get(sub)
        if results is None:
            continue
        keys = expected("subscription", level, results)
        expected_count += len(keys)
        collected += 1 + sum(results.available(key) for key in keys)
    return Completeness(expected=expected_count, collected=collected)


# cloud-posture `collection_error_code` (§V.9) of a probe's final HTTP status.
PROBE_CODES: Final = {403: "permission_denied", 404: "not_found", 429: "throttled"}


def collection_error_code(probe: Failure | None) -> str:
    """Why a subscription was not collected; no probe at all means the deadline came first."""
    if probe is None or probe.kind is Kind.DEADLINE:
        return "deadline"
    if probe.kind is Kind.HTTP and probe.status is not None:
        return PROBE_CODES.get(probe.status, "error")
    return "error"


def _results(state: Collection) -> RunResults:
    completeness = _completeness(state)
    return RunResults(
        now=state.now,
        level=state.config.level,
        entra=state.entra,
        accounts=[
            state.subscriptions[sub]
            for sub in state.config.subscription_ids
            if sub in state.subscriptions
        ],
        diagnostics=_diagnostics(state, completeness),
        completeness=completeness,
        emergency_access_accounts=state.config.emergency_access_accounts,
        subscriptions_expected=len(state.config.subscription_ids),
        uncollected=[
            (sub, collection_error_code(state.probes.get(sub)))
            for sub in state.config.subscription_ids
            if sub not in state.subscriptions
        ],
    )


async def _collect_tenant(state: Collection, session: Session, progress: Progress) -> None:
    await collect_tenant(session.graph, state.now, state.config.level, state.entra)
    keys = expected("tenant", state.config.level, state.entra)
    collected = sum(state.entra.available(key) for key in keys)
    progress.status(
        f"Microsoft Entra ID posture collected ({collected} of {len(keys)} surfaces available)"
    )


async def _resource_graph(
    state: Collection, session: Session, progress: Progress
) -> resource_graph.Prefetched:
    """The list surfaces Resource Graph answers whole for every configured subscription; the
    per-subscription path collects the rest (and any whose queries failed)."""
    config = state.config
    if not config.uses_resource_graph:
        return {}
    keys = [key for key in resource_graph.SURFACES if surface(key).at(config.level)]
    answered = await resource_graph.prefetch(
        session.resource_graph(), keys, config.subscription_ids
    )
    progress.status(f"Azure Resource Graph answered {len(answered)} of {len(keys)} list surfaces")
    return answered


async def _collect_azure(state: Collection, session: Session, progress: Progress) -> None:
    subs = state.config.subscription_ids
    if not subs:
        return
    progress.status(f"Collecting Azure posture for {len(subs)} subscription(s)")
    answered = await _resource_graph(state, session, progress)
    slots = asyncio.Semaphore(CONCURRENT_SUBSCRIPTIONS)
    tracker = SubscriptionProgress(progress, len(subs))
    await run_all(
        _collect_subscription(state, session, slots, sub, tracker, answered) for sub in subs
    )
    progress.status(f"Azure posture collected for {len(subs)} subscription(s)")


async def _collect_all(state: Collection, session: Session, progress: Progress) -> None:
    await run_all(
        [_collect_tenant(state, session, progress), _collect_azure(state, session, progress)]
    )


async def collect(
    config: Config,
    inputs: CredentialInputs,
    progress: Progress,
    environ: Mapping[str, str] | None = None,
) -> RunResults:
    """One full run (§2.9 steps 4–8); raises FatalError for the fatal cases of §3.6."""
    now = datetime.now(UTC).replace(microsecond=0)
    deadline = time.monotonic() + config.deadline_seconds
    progress.status("Collecting Microsoft Entra ID posture")
    counts = ListingCounts(progress)
    async with Session.for_run(
        config, inputs, environ=environ, deadline=deadline, on_page=counts
    ) as session:
        try:
            async with asyncio.timeout_at(_loop_deadline(deadline)):
                await session.tokens.acquire_initial(need_arm=bool(config.subscription_ids))
                org = await organization.fetch(session.graph)
        except TimeoutError:
            raise NetworkError(
                "collection deadline exceeded before the tenant organization was read"
            ) from None
        state = Collection(
            config=config,
            now=now,
            entra=EntraResults(organization=org),
            claims=session.tokens.claims,
        )
        try:
            async with asyncio.timeout_at(_loop_deadline(deadline)):
                await _collect_all(state, session, progress)
        except TimeoutError:
            state.deadline_hit = True
            _finish_after_deadline(state)
        return _results(state)


def _loop_deadline(monotonic_deadline: float) -> float:
    loop = asyncio.get_running_loop()
    return loop.time() + (monotonic_deadline - time.monotonic())
