"""`--preflight`: the same config and credentials as a run, one cheap probe per surface.

An operator setting the collector up learns in seconds which permission, licence, role or
provider is missing, without running a full collection. Graph collections are probed with
`$top=1` (first page only); single objects and the registration report as the run sends them;
ARM with the subscription probe and one first-page listing per resource provider. No
per-item call is made (G18's group permission is proven by one `/groups` read instead), and
nothing but registry facts and reasons is ever printed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from collector.auth.credential_inputs import CredentialInputs
from collector.clients.arm_context import SubscriptionContext
from collector.clients.graph import GraphQuery, GraphReader
from collector.clients.session import Session
from collector.core.config import Config
from collector.core.fixes import fix, reason_of
from collector.core.registry import Surface, outcome_of, scope_surfaces, surface
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
    subscription,
)
from collector.services.entra import (
    activity,
    activity_timeout,
    apps,
    authentication_methods,
    authorization_policy,
    conditional_access,
    group_members,
    licences,
    organization,
    registration,
    roles,
    secure_score,
    security_defaults,
    users,
)

Probe = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Check:
    """One surface's preflight result in one scope."""

    scope: str  # "tenant" or a subscription ID
    surface: Surface
    status: str  # "ok" or a §V.10 reason
    probed_by: str  # the surface whose request answered for this one (per provider on ARM)

    @property
    def fix(self) -> str | None:
        return None if self.status == "ok" else fix(self.surface, self.status)


def _first(query: GraphQuery) -> GraphQuery:
    """A collection probe reads one item: `$top=1` where the listing pages with `$top`."""
    return replace(query, top=1) if query.top is not None else query


def graph_probes(reader: GraphReader, now: datetime) -> dict[str, Probe]:
    """The probe of every tenant surface but G1 (which the preflight reads first, as a run)."""

    def page(query: GraphQuery, not_found_is_cause: bool = False) -> Probe:
        return lambda: reader.first_page(_first(query), not_found_is_cause)

    return {
        "G2": page(licences.QUERY),
        "G3": page(users.DIRECTORY_QUERY),
        "G4": page(registration.QUERY),
        "G5": page(users.SIGN_IN_QUERY),
        "G6": page(conditional_access.QUERY),
        "G7": lambda: reader.get_object(security_defaults.QUERY),
        "G8": page(roles.ASSIGNMENTS_QUERY),
        "G9": page(roles.ELIGIBILITY_QUERY),
        "G10": page(apps.SERVICE_PRINCIPALS_QUERY),
        "G11": page(apps.APPLICATIONS_QUERY),
        "G12": page(secure_score.QUERY, not_found_is_cause=True),
        "G13": page(activity.directory_audits_query(now)),
        "G14": page(activity.sign_ins_query(now)),
        "G15": lambda: reader.get_object(authorization_policy.QUERY),
        "G16": lambda: reader.get_object(authentication_methods.QUERY),
        "G17": page(activity_timeout.QUERY),
        # Per group in a run; here one `/groups` read proves the same permission.
        "G18": page(group_members.PERMISSION_PROBE),
    }


# One first-page request per resource provider answers for every surface in its namespace.
PROVIDER_PROBES: Final = {
    "Microsoft.Security": "A2",
    "Microsoft.Authorization": "A3",
    "Microsoft.PolicyInsights": "A5",
    "Microsoft.Storage": "A6",
    "Microsoft.KeyVault": "A7",
    "Microsoft.Sql": "A8",
    "Microsoft.Compute": "A11",
    "Microsoft.Network": "A17",
    "Microsoft.RecoveryServices": "A13",
    "Microsoft.Insights": "A18",
    "Microsoft.Resources": "A20",
}


def arm_probes(ctx: SubscriptionContext) -> dict[str, Probe]:
    """The probe of each provider, keyed by the surface that sends it."""
    return {
        "A2": lambda: ctx.first_page(defender.ASSESSMENTS),
        "A3": lambda: ctx.first_page(rbac.ROLE_ASSIGNMENTS),
        "A5": lambda: policy.fetch_compliance(ctx),  # one read-only POST
        "A6": lambda: ctx.first_page(storage.STORAGE_ACCOUNTS),
        "A7": lambda: ctx.first_page(keyvault.VAULTS),
        "A8": lambda: ctx.first_page(sql.SERVERS),
        "A11": lambda: ctx.first_page(compute.VIRTUAL_MACHINES),
        "A13": lambda: ctx.first_page(backup.VAULTS),
        "A17": lambda: ctx.first_page(network.SECURITY_GROUPS),
        "A18": lambda: monitoring.fetch_subscription_settings(ctx),  # one small listing
        "A20": lambda: ctx.first_page(inventory.RESOURCES),
    }


async def _status(key: str, probe: Probe) -> str:
    """`ok`, or the reason; a bug in a probe is that surface's error, never a failed preflight."""
    outcome = await outcome_of(key, probe)
    return "ok" if outcome.available else reason_of(outcome.failures)


async def _tenant_checks(reader: GraphReader, level: str, now: datetime) -> list[Check]:
    probes = graph_probes(reader, now)
    checks = [Check("tenant", surface("G1"), "ok", "G1")]  # read before: a failure is fatal
    for row in scope_surfaces("tenant"):
        if row.at(level):
            checks.append(Check("tenant", row, await _status(row.key, probes[row.key]), row.key))
    return checks


async def _subscription_checks(ctx: SubscriptionContext, level: str) -> list[Check]:
    sub = ctx.subscription_id
    probe = await _status("A0", lambda: subscription.probe(ctx))
    checks = [Check(sub, surface("A0"), probe, "A0")]
    if probe != "ok":
        return checks
    probes = arm_probes(ctx)
    statuses: dict[str, str] = {}
    for row in scope_surfaces("subscription"):
        if not row.at(level):
            continue
        by = PROVIDER_PROBES[row.namespace or ""]
        if by not in statuses:
            statuses[by] = await _status(by, probes[by])
        checks.append(Check(sub, row, statuses[by], by))
    return checks


async def preflight(
    config: Config, inputs: CredentialInputs, environ: Mapping[str, str] | None = None
) -> list[Check]:
    """Tokens, G1 (fatal errors as a run raises them), then every surface's probe."""
    now = datetime.now(UTC).replace(microsecond=0)
    async with Session.for_run(config, inputs, environ=environ) as session:
        await session.tokens.acquire_initial(need_arm=bool(config.subscription_ids))
        await organization.fetch(session.graph)
        checks = await _tenant_checks(session.graph, config.level, now)
        for sub in config.subscription_ids:
            checks += await _subscription_checks(session.subscription(sub), config.level)
    return checks


def render_json(config: Config, checks: list[Check]) -> str:
    """One JSON document (schemas/preflight.v1.json)."""
    document = {
        "tenant_id": config.tenant_id,
        "level": config.level,
        "ok": all(check.status == "ok" for check in checks),
        "checks": [
            {
                "scope": check.scope,
                "surface": check.surface.key,
                "label": check.surface.label,
                "feeds": check.surface.feeds,
                "status": check.status,
                "probed_by": check.probed_by,
                "fix": check.fix,
            }
            for check in checks
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def render_text(config: Config, checks: list[Check]) -> str:
    """A table a person reads in ten seconds: one line per surface, fixes under failures."""
    failing = [check for check in checks if check.status != "ok"]
    lines = [
        f"Preflight for tenant {config.tenant_id} at level {config.level}: tokens ok, "
        f"tenant organization (G1) ok; {len(checks) - len(failing)} of {len(checks)} "
        "surfaces ok.",
    ]
    width = max(len(check.surface.label) for check in checks)
    scope = None
    for check in checks:
        if check.scope != scope:
            scope = check.scope
            title = (
                "Microsoft Entra ID (tenant)"
                if scope == "tenant"
                else f"Azure subscription {scope}"
            )
            lines += ["", title]
        mark = "ok " if check.status == "ok" else "!! "
        lines.append(
            f"  {mark}{check.surface.key:<4} {check.surface.label:<{width}}  "
            f"{check.status:<24} feeds {check.surface.feeds}"
        )
    if failing:
        lines += ["", "To fix:"]
        said: set[tuple[str, str | None]] = set()
        for check in failing:
            if (check.scope, check.fix) in said:
                continue  # one provider's probe answers for several surfaces
            said.add((check.scope, check.fix))
            where = "" if check.scope == "tenant" else f" (subscription {check.scope})"
            lines.append(f"  {check.surface.key} {check.status}{where}: {check.fix}")
    return "\n".join(lines) + "\n"
