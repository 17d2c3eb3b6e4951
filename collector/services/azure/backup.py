"""A13 Recovery Services vaults and, per vault, A14 protected items, A15 policies, A16 jobs.

Items and jobs are reduced at the page to what the backup metrics need: states, times and the
friendly names used only to match jobs to items (never output).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from azure.core.rest import HttpRequest
from azure.mgmt.recoveryservices.aio import RecoveryServicesClient
from azure.mgmt.recoveryservices.operations._operations import (
    build_vaults_list_by_subscription_id_request,
)
from azure.mgmt.recoveryservicesbackup.aio import RecoveryServicesBackupClient
from azure.mgmt.recoveryservicesbackup.operations._operations import (
    build_backup_jobs_list_request,
    build_backup_policies_list_request,
    build_backup_protected_items_list_request,
)

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import Listing, SubscriptionContext, per_item
from collector.core import json_paths as jp
from collector.core.metrics import hour_age, is_number, parse_timestamp, pct
from collector.core.outcomes import Failure
from collector.core.registry import invalid_id
from collector.core.resource_ids import parent_of

PROTECTED_STATES: Final = frozenset(
    {"protected", "protectionconfigured", "backupprotectionenabled"}
)
TRACKED_STATES: Final = PROTECTED_STATES | {"protectionerror"}
SUCCESS_STATUSES: Final = frozenset({"completed", "succeeded", "completedwithwarnings"})
ITEM_SUCCESS_STATUSES: Final = SUCCESS_STATUSES | {"healthy"}
SOFT_DELETE_ON: Final = frozenset({"enabled", "alwayson"})
IMMUTABLE: Final = frozenset({"enabled", "locked", "unlocked"})
NEVER: Final = datetime(1, 1, 1, tzinfo=UTC)  # the "never backed up" sentinel
UNIT_DAYS: Final = {
    "": 1,
    "days": 1,
    "day": 1,
    "weeks": 7,
    "week": 7,
    "months": 30,
    "month": 30,
    "years": 365,
    "year": 365,
}


# ----- retention (A15) --------------------------------------------------------------------------


def _first_ci(obj: dict[str, Any], name: str) -> Any:
    for key, value in obj.items():
        if key.lower() == name.lower():
            return value
    return None


def duration_days(obj: dict[str, Any]) -> int:
    """duration(obj) of §5.2.10: durationCountInDays, else count × durationType unit."""
    days = _first_ci(obj, "durationCountInDays")
    if is_number(days):
        return int(days)
    count = _first_ci(obj, "count")
    if not is_number(count):
        return 0
    unit = _first_ci(obj, "durationType")
    factor = UNIT_DAYS.get(unit.lower() if isinstance(unit, str) else "", 0)
    return int(count * factor)


def retention_days(value: Any, in_retention: bool = False) -> list[int]:
    """Every positive duration found under a key containing `retention` (recursive walk)."""
    found: list[int] = []
    if isinstance(value, dict):
        if in_retention:
            days = duration_days(value)
            if days > 0:
                found.append(days)
        for key, child in value.items():
            found.extend(retention_days(child, in_retention or "retention" in key.lower()))
    elif isinstance(value, list):
        for child in value:
            found.extend(retention_days(child, in_retention))
    return found


# ----- jobs (A16) and items (A14) ---------------------------------------------------------------


def _is_backup_operation(document: dict[str, Any]) -> bool:
    operation = jp.lower(document, "properties", "operation")
    return operation in ("", "backup")


@dataclass(frozen=True)
class Job:
    time: datetime
    failed: bool
    succeeded: bool
    entity: str  # trimmed, lower-cased friendly name (matching only)


def reduce_job(document: dict[str, Any]) -> Job | None:
    props = jp.get(document, "properties")
    moment = parse_timestamp(jp.get(props, "endTime")) or parse_timestamp(
        jp.get(props, "startTime")
    )
    if moment is None or not _is_backup_operation(document):
        return None
    status = jp.lower(props, "status")
    return Job(
        time=moment,
        failed=status == "failed",
        succeeded=status in SUCCESS_STATUSES,
        entity=jp.text(props, "entityFriendlyName").strip().lower(),
    )


@dataclass(frozen=True)
class ProtectedItem:
    source_id: str  # lower-cased
    protected: bool
    tracked: bool
    last_backup: datetime | None  # rule 1 or 2 of the age algorithm, when they apply
    name: str  # trimmed, lower-cased friendly name (matching only)


def reduce_item(document: dict[str, Any]) -> ProtectedItem:
    props = jp.get(document, "properties")
    state = jp.lower(props, "protectionState")
    last_backup = None
    last_backup_time = parse_timestamp(jp.get(props, "lastBackupTime"))
    if (
        jp.lower(props, "lastBackupStatus") in ITEM_SUCCESS_STATUSES
        and last_backup_time is not None
    ):
        last_backup = last_backup_time
    elif parse_timestamp(jp.get(props, "lastRecoveryPoint")) is not None:
        last_backup = parse_timestamp(jp.get(props, "lastRecoveryPoint"))
    return ProtectedItem(
        source_id=jp.lower(props, "sourceResourceId"),
        protected=state in PROTECTED_STATES,
        tracked=state in TRACKED_STATES,
        last_backup=last_backup,
        name=jp.text(props, "friendlyName").strip().lower(),
    )


# ----- vaults -----------------------------------------------------------------------------------


@dataclass
class Vault:
    """One vault's settings and, once fetched, its children (None = that call failed)."""

    id: str
    soft_delete: bool
    immutable: bool
    items: list[ProtectedItem] | None = None
    policies_retention: list[int] | None = None
    jobs: list[Job] | None = None


def reduce_vault(document: dict[str, Any]) -> Vault:
    props = jp.get(document, "properties")
    state = jp.lower(props, "securitySettings", "softDeleteSettings", "softDeleteState")
    if not state:
        state = jp.lower(props, "softDeleteFeatureState")
    immutability = jp.lower(props, "securitySettings", "immutabilitySettings", "state")
    return Vault(
        id=jp.text(document, "id"),
        soft_delete=state in SOFT_DELETE_ON,
        immutable=immutability in IMMUTABLE,
    )


@dataclass
class BackupEstate:
    """VAULTS of §5.2.2 with per-vault children, plus per-child-surface failures."""

    vaults: list[Vault] = field(default_factory=list)
    item_failures: tuple[Failure, ...] = ()
    policy_failures: tuple[Failure, ...] = ()
    job_failures: tuple[Failure, ...] = ()

    def vault_share(self, attribute: str) -> int | None:
        return pct(sum(1 for v in self.vaults if getattr(v, attribute)), len(self.vaults))

    def retention_days_min(self) -> int | None:
        if not self.vaults or self.policy_failures:
            return None
        values = [d for v in self.vaults for d in v.policies_retention or ()]
        return min(values) if values else None

    def protected_source_ids(self) -> set[str] | None:
        if self.item_failures:
            return None
        return {
            i.source_id for v in self.vaults for i in v.items or () if i.protected and i.source_id
        }

    def failed_jobs_7d(self, now: datetime) -> int | None:
        if not self.vaults or self.job_failures:
            return None
        window_start = now - timedelta(days=7)
        return sum(
            1
            for v in self.vaults
            for job in v.jobs or ()
            if job.failed and window_start <= job.time <= now
        )

    def latest_backup_age_hours_max(self, now: datetime) -> int | None:
        """The worst per-item latest successful backup age (§5.2.10 algorithm)."""
        if not self.vaults:
            return None
        times: list[datetime] = []
        for vault in self.vaults:
            successful = [job for job in vault.jobs or () if job.succeeded]
            if vault.items is not None:
                for item in vault.items:
                    if not item.tracked:
                        continue
                    moment = item.last_backup
                    if moment is None and vault.jobs is not None and item.name:
                        matches = [job.time for job in successful if job.entity == item.name]
                        moment = max(matches) if matches else None
                    if moment is not None:
                        times.append(moment)
            elif vault.jobs is not None:
                latest: dict[str, datetime] = {}
                for job in successful:
                    if job.entity and (job.entity not in latest or job.time > latest[job.entity]):
                        latest[job.entity] = job.time
                times.extend(latest.values())
            else:
                return None
        kept = [t for t in times if t <= now and t != NEVER]
        return max(hour_age(now, t) for t in kept) if kept else None


# ----- fetching ---------------------------------------------------------------------------------


async def _children(
    ctx: SubscriptionContext, client: Any, vault: Vault, child: str, request: HttpRequest
) -> list[dict[str, Any]]:
    route = ArmRoute.of(f"{vault.id}/{child}")
    return await ctx.list_all(client, request, route)


async def _items(ctx: SubscriptionContext, client: Any, vault: Vault) -> list[ProtectedItem]:
    parent = parent_of(vault.id, "vaults")
    if parent is None:
        raise invalid_id("A14")
    listing = build_backup_protected_items_list_request(
        parent.name, parent.resource_group, ctx.subscription_id
    )
    return [
        reduce_item(d) for d in await _children(ctx, client, vault, "backupProtectedItems", listing)
    ]


async def _policies(ctx: SubscriptionContext, client: Any, vault: Vault) -> list[int]:
    parent = parent_of(vault.id, "vaults")
    if parent is None:
        raise invalid_id("A15")
    listing = build_backup_policies_list_request(
        parent.name, parent.resource_group, ctx.subscription_id
    )
    documents = await _children(ctx, client, vault, "backupPolicies", listing)
    return [days for d in documents for days in retention_days(jp.get(d, "properties"))]


async def _jobs(ctx: SubscriptionContext, client: Any, vault: Vault) -> list[Job]:
    parent = parent_of(vault.id, "vaults")
    if parent is None:
        raise invalid_id("A16")
    listing = build_backup_jobs_list_request(
        parent.name, parent.resource_group, ctx.subscription_id, filter="operation eq 'Backup'"
    )
    documents = await _children(ctx, client, vault, "backupJobs", listing)
    return [job for job in map(reduce_job, documents) if job is not None]


VAULTS = Listing(
    RecoveryServicesClient,
    lambda sub: build_vaults_list_by_subscription_id_request(subscription_id=sub),
    "/providers/Microsoft.RecoveryServices/vaults",
)


class RecoveryVaults(list[Vault]):
    """A13 as an aggregate: every vault, reduced as it streams in."""

    def add(self, document: dict[str, Any]) -> None:
        self.append(reduce_vault(document))


async def fetch_vaults(ctx: SubscriptionContext) -> list[Vault]:
    return list(await ctx.fold(VAULTS, RecoveryVaults()))


async def fetch_children(ctx: SubscriptionContext, vaults: list[Vault]) -> BackupEstate:
    """A14, A15 and A16 for every vault; every call is made even when another fails."""
    async with ctx.client(RecoveryServicesBackupClient) as client:
        items, policies, jobs = await asyncio.gather(
            per_item("A14", vaults, lambda vault: _items(ctx, client, vault)),
            per_item("A15", vaults, lambda vault: _policies(ctx, client, vault)),
            per_item("A16", vaults, lambda vault: _jobs(ctx, client, vault)),
        )
    for vault, item_list, retention, job_list in zip(
        vaults, items[0], policies[0], jobs[0], strict=True
    ):
        vault.items, vault.policies_retention, vault.jobs = item_list, retention, job_list
    return BackupEstate(vaults, items[1], policies[1], jobs[1])
