"""Runs one collection: tokens, the mandatory organization read, every surface, then artifacts.

The composer owns ordering and availability; service modules only fetch and aggregate. Outcomes
are stored by surface key as they complete, and diagnostics are rendered afterwards in canonical
order, so concurrency never changes the output.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from collector.artifacts import azure as azure_artifact
from collector.artifacts import cloud_posture, idp_posture
from collector.artifacts import entra as entra_artifact
from collector.auth.credential_inputs import CredentialInputs
from collector.auth.credentials import build_identity_credential
from collector.auth.tokens import TokenManager
from collector.clients.arm import ArmClients, ArmScope
from collector.clients.arm_context import SubscriptionContext
from collector.clients.graph import GraphReader, build_graph_client
from collector.collection.azure import collect_subscription, expected_surfaces
from collector.collection.diagnostics import Diagnostics, SubscriptionReport
from collector.collection.results import EntraResults, RunResults, SubscriptionResults
from collector.core.config import Config
from collector.core.errors import NetworkError
from collector.core.outcomes import Failure, Outcome, SurfaceError, record
from collector.protocol import Artifact, ProtocolWriter
from collector.services.azure import subscription
from collector.services.azure.inventory import Inventory
from collector.services.entra import (
    activity,
    apps,
    conditional_access,
    licences,
    organization,
    registration,
    roles,
    secure_score,
    security_defaults,
    users,
)
from collector.services.entra.activity import SignInMonitoring
from collector.transport.http import (
    EgressRule,
    GuardedTransport,
    build_http_client,
    build_ssl_context,
    origin_of,
)

T = TypeVar("T")
# More subscriptions in flight than run-wide ARM slots: ARM throttles reads per subscription
# (about 25 a second after a burst), so spreading the 16 slots over many subscriptions keeps
# each one under its limit, and no slow subscription leaves slots idle at the end.
CONCURRENT_SUBSCRIPTIONS = 32
ARM_CONCURRENT_REQUESTS = 16
ARM_READ_POSTS = ("/policyStates/latest/summarize", "/providers/Microsoft.ResourceGraph/resources")


def egress_rules(config: Config, inputs: CredentialInputs) -> list[EgressRule]:
    """Every origin this run may talk to, and the only POSTs it may send (§1.3)."""
    cloud = config.cloud
    rules = [
        EgressRule(cloud.authority, post_path_suffixes=("/oauth2/v2.0/token",), allow_get=False),
        EgressRule(cloud.graph),
        EgressRule(cloud.resource_manager, post_path_suffixes=ARM_READ_POSTS),
    ]
    if inputs.oidc_request_url:
        rules.append(EgressRule(origin_of(inputs.oidc_request_url)))
    rules.extend(EgressRule(origin) for origin in inputs.identity_endpoints)
    return rules


@dataclass
class Collection:
    """Mutable state of one run, filled as surfaces complete."""

    config: Config
    now: datetime
    entra: dict[str, Outcome[Any]] = field(default_factory=dict)
    probes: dict[str, Failure | None] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Outcome[Any]]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    subscription_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(CONCURRENT_SUBSCRIPTIONS)
    )
    deadline_hit: bool = False


async def _users_then_roles(state: Collection, reader: GraphReader) -> None:
    """G3/G5, then G8 only when G3 is available, then G9 only when G8 is (§5.1.6)."""
    directory, activity = await users.fetch_with_sign_in_activity(reader, state.now)
    state.entra["G3"], state.entra["G5"] = directory, activity
    if not directory.available:
        return
    await record(state.entra, "G8", lambda: roles.fetch_assignments(reader))
    if state.entra["G8"].available:
        await record(state.entra, "G9", lambda: roles.fetch_eligible_count(reader))


async def _collect_entra(state: Collection, reader: GraphReader) -> None:
    now = state.now
    independent: dict[str, Callable[[], Awaitable[Any]]] = {
        "G2": lambda: licences.fetch(reader),
        "G4": lambda: registration.fetch(reader),
        "G6": lambda: conditional_access.fetch(reader),
        "G7": lambda: security_defaults.fetch(reader),
        "G10": lambda: apps.fetch_service_principals(reader, now),
        "G11": lambda: apps.fetch_application_credentials(reader, now),
        "G12": lambda: secure_score.fetch(reader),
    }
    if state.config.level == "internal":
        independent["G13"] = lambda: activity.fetch_directory_activity(reader, now)
        independent["G14"] = lambda: activity.fetch_sign_in_monitoring(reader, now)
    await asyncio.gather(
        _users_then_roles(state, reader),
        *(record(state.entra, key, call) for key, call in independent.items()),
    )


def _expected_entra(state: Collection) -> list[str]:
    """The Graph surfaces this run calls, given the parents that completed (§5.1.6)."""
    keys = ["G2", "G3", "G4", "G5", "G6", "G7", "G10", "G11", "G12"]
    if state.config.level == "internal":
        keys += ["G13", "G14"]
    if state.entra.get("G3", Outcome.skipped()).available:
        keys.append("G8")
        if state.entra.get("G8", Outcome.skipped()).available:
            keys.append("G9")
    return keys


async def _collect_subscription(
    state: Collection, clients: ArmClients, run_slots: asyncio.Semaphore, sub: str
) -> None:
    async with state.subscription_slots:
        state.started.add(sub)
        scope = ArmScope(run_slots)
        try:
            await subscription.probe(clients, scope, sub)
        except SurfaceError as error:
            state.probes[sub] = error.failure
            return
        state.probes[sub] = None
        outcomes: dict[str, Outcome[Any]] = {}
        state.subscriptions[sub] = outcomes
        context = SubscriptionContext(clients, scope, sub)
        await collect_subscription(context, state.config.level, outcomes)


def _finish_after_deadline(state: Collection) -> None:
    """Surfaces still running when the deadline hit are unavailable with cause `deadline`."""
    deadline = Failure("deadline", "deadline exceeded")
    for key in _expected_entra(state):
        state.entra.setdefault(key, Outcome(None, (deadline,)))
    for sub in state.config.subscription_ids:
        if sub not in state.started:
            continue  # reported as "not collected"
        if sub not in state.probes:
            state.probes[sub] = deadline
        elif sub in state.subscriptions:
            outcomes = state.subscriptions[sub]
            for key in expected_surfaces(state.config.level, outcomes):
                outcomes.setdefault(key, Outcome(None, (deadline,)))


def _truncation(state: Collection) -> dict[str, int]:
    """Lists cut to ten entries (§6.7): failure codes and each account's resource types."""
    dropped: dict[str, int] = {}
    sign_ins: SignInMonitoring | None = EntraResults(outcomes=state.entra).value("G14")
    if sign_ins is not None:
        dropped["sign_in_monitoring/top_failure_codes"] = sign_ins.top_failure_codes()[1]
    for sub, outcomes in state.subscriptions.items():
        resources: Inventory | None = SubscriptionResults(outcomes=outcomes).value("A20")
        if resources is not None:
            dropped[f"{sub}/inventory/top_resource_types"] = resources.top_types()[1]
    return {key: count for key, count in dropped.items() if count > 0}


def _diagnostics(state: Collection) -> dict[str, Any]:
    reports = []
    for sub in state.config.subscription_ids:
        reports.append(
            SubscriptionReport(
                subscription_id=sub,
                probe_failure=state.probes.get(sub),
                not_started=sub not in state.started,
                surfaces=state.subscriptions.get(sub, {}),
            )
        )
    tier = state.entra.get("G2", Outcome.skipped())
    return Diagnostics(
        truncation=_truncation(state),
        config_warnings=state.config.warnings,
        entra=state.entra,
        entra_tier=str(tier.value) if tier.available else "unknown",
        subscriptions=reports,
        deadline_seconds=state.config.deadline_seconds if state.deadline_hit else None,
    ).build()


def assemble(state: Collection, org: organization.Organization) -> list[Artifact]:
    run = RunResults(
        now=state.now,
        level=state.config.level,
        entra=EntraResults(organization=org, outcomes=state.entra),
        accounts=[
            SubscriptionResults(outcomes=state.subscriptions[sub], subscription_id=sub)
            for sub in state.config.subscription_ids
            if sub in state.subscriptions
        ],
        diagnostics=_diagnostics(state),
    )
    entra = entra_artifact.build(run)
    artifacts = [Artifact(entra_artifact.PATH, entra)]
    idp = idp_posture.build(entra)
    if idp is not None:
        artifacts.append(Artifact(idp_posture.PATH, idp, idp_posture.SCHEMA))
    azure = azure_artifact.build(run)
    if azure is not None:
        artifacts.append(Artifact(azure_artifact.PATH, azure))
        at_rest = {
            a.subscription_id: azure_artifact.encryption_at_rest_pct(a) for a in run.accounts
        }
        cloud = cloud_posture.build(
            azure,
            entra,
            root_mfa=entra_artifact.root_admin_mfa(run.entra),
            encryption_at_rest=at_rest,
        )
        if cloud is not None:
            artifacts.append(Artifact(cloud_posture.PATH, cloud, cloud_posture.SCHEMA))
    return artifacts


async def _collect_all(
    state: Collection, reader: GraphReader, clients: ArmClients, protocol: ProtocolWriter
) -> None:
    tasks = [asyncio.create_task(_collect_entra(state, reader))]
    subs = state.config.subscription_ids
    if subs:
        protocol.status(f"Collecting Azure posture for {len(subs)} subscription(s)")
    run_slots = asyncio.Semaphore(ARM_CONCURRENT_REQUESTS)
    for index, sub in enumerate(subs, start=1):
        protocol.progress(f"Collecting Azure subscription {sub}", index, len(subs))
        tasks.append(asyncio.create_task(_collect_subscription(state, clients, run_slots, sub)))
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


async def collect(
    config: Config,
    inputs: CredentialInputs,
    protocol: ProtocolWriter,
    environ: dict[str, str] | None = None,
) -> list[Artifact]:
    """One full run (§2.9 steps 4–8); raises FatalError for the fatal cases of §3.6."""
    now = datetime.now(UTC).replace(microsecond=0)
    deadline = time.monotonic() + config.deadline_seconds
    protocol.status("Collecting Microsoft Entra ID posture")
    transport = GuardedTransport(egress_rules(config, inputs), build_ssl_context(environ), environ)
    transport.deadline = deadline
    http = build_http_client(transport)
    async with http:
        credential = build_identity_credential(config, inputs, http, transport)
        tokens = TokenManager(config, credential)
        transport.reauthorize = tokens.bearer_for
        async with tokens:
            return await _run(config, now, deadline, tokens, http, transport, protocol)


async def _run(
    config: Config,
    now: datetime,
    deadline: float,
    tokens: TokenManager,
    http: httpx.AsyncClient,
    transport: GuardedTransport,
    protocol: ProtocolWriter,
) -> list[Artifact]:
    try:
        async with asyncio.timeout_at(_loop_deadline(deadline)):
            await tokens.acquire_initial(need_arm=bool(config.subscription_ids))
            reader = GraphReader(build_graph_client(config.cloud, tokens, http), config.cloud)
            org = await organization.fetch(reader)
    except TimeoutError:
        raise NetworkError(
            "collection deadline exceeded before the tenant organization was read"
        ) from None
    state = Collection(config=config, now=now)
    clients = ArmClients(config.cloud, tokens, transport)
    try:
        async with asyncio.timeout_at(_loop_deadline(deadline)):
            await _collect_all(state, reader, clients, protocol)
    except TimeoutError:
        state.deadline_hit = True
        _finish_after_deadline(state)
    return assemble(state, org)


def _loop_deadline(monotonic_deadline: float) -> float:
    loop = asyncio.get_running_loop()
    return loop.time() + (monotonic_deadline - time.monotonic())
