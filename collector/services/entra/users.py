"""G3 and G5 `/users`: directory counts and sign-in inactivity, aggregated page by page.

Only `id`, `accountEnabled`, `userType`, `onPremisesSyncEnabled` (and, for G5,
`signInActivity`) are requested. Object
IDs are kept lower-cased in sets for the joins the contract needs (registration, roles); no
name, UPN or mail is requested or kept.

One listing with G5's `$select` serves both surfaces when it succeeds; when it fails (usually a
licence or AuditLog permission gap) G3 is listed again on its own, so users stay available.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.metrics import object_id, parse_timestamp, pct
from collector.core.outcomes import Outcome, SurfaceError
from collector.core.registry import outcome_of
from collector.services.entra import user_partitions

DIRECTORY_QUERY = GraphQuery(
    lambda client: client.users,
    select=("id", "accountEnabled", "userType", "onPremisesSyncEnabled"),
    top=999,
    counted_as="users",
)
SIGN_IN_QUERY = GraphQuery(
    lambda client: client.users,
    select=("id", "accountEnabled", "userType", "onPremisesSyncEnabled", "signInActivity"),
    top=999,
    counted_as="users",
)
INACTIVE_AFTER = timedelta(days=90)


@dataclass
class UserDirectory:
    """USERS, UID and EM of contract §5.0 as counts and opaque ID sets (G3)."""

    total_count: int = 0
    guest_count: int = 0
    disabled_count: int = 0
    user_ids: set[str] = field(default_factory=set)
    enabled_member_ids: set[str] = field(default_factory=set)
    guest_ids: set[str] = field(default_factory=set)
    enabled_guest_ids: set[str] = field(default_factory=set)
    disabled_ids: set[str] = field(default_factory=set)  # accountEnabled is false
    synced_ids: set[str] = field(default_factory=set)  # onPremisesSyncEnabled is true

    def add_page(self, users: Iterable[dict[str, Any]]) -> None:
        for user in users:
            self.total_count += 1
            user_type = user.get("userType")
            if user_type == "Guest":
                self.guest_count += 1
            if user.get("accountEnabled") is False:
                self.disabled_count += 1
            raw_id = user.get("id")
            if not isinstance(raw_id, str) or not raw_id:
                continue
            user_id = object_id(raw_id)
            if user_id in self.user_ids:
                continue  # user(x) is the first object with id x
            self.user_ids.add(user_id)
            enabled = user.get("accountEnabled")
            if user_type == "Guest":
                self.guest_ids.add(user_id)
                if enabled is True:
                    self.enabled_guest_ids.add(user_id)
            if enabled is True and user_type == "Member":
                self.enabled_member_ids.add(user_id)
            if enabled is False:
                self.disabled_ids.add(user_id)
            if user.get("onPremisesSyncEnabled") is True:
                self.synced_ids.add(user_id)

    @property
    def enabled_member_count(self) -> int:
        return len(self.enabled_member_ids)

    @property
    def guest_pct(self) -> int | None:
        return pct(self.guest_count, self.total_count)

    @property
    def disabled_pct(self) -> int | None:
        return pct(self.disabled_count, self.total_count)


def is_inactive(user: dict[str, Any], now: datetime) -> bool:
    """inactive(u): no parsable lastSignInDateTime, or one older than 90 days (§5.0)."""
    activity = user.get("signInActivity")
    last = (
        parse_timestamp(activity.get("lastSignInDateTime")) if isinstance(activity, dict) else None
    )
    return last is None or last < now - INACTIVE_AFTER


@dataclass
class SignInActivity:
    """SIA of contract §5.0 (G5): inactivity counts and per-ID inactivity for privileged joins."""

    now: datetime
    enabled_count: int = 0
    enabled_inactive_count: int = 0
    enabled_guest_count: int = 0
    enabled_guest_inactive_count: int = 0
    inactive_by_id: dict[str, bool] = field(default_factory=dict)

    def add_page(self, users: Iterable[dict[str, Any]]) -> None:
        for user in users:
            inactive = is_inactive(user, self.now)
            if user.get("accountEnabled") is True:
                self.enabled_count += 1
                self.enabled_inactive_count += inactive
                if user.get("userType") == "Guest":
                    self.enabled_guest_count += 1
                    self.enabled_guest_inactive_count += inactive
            raw_id = user.get("id")
            if isinstance(raw_id, str) and raw_id:
                self.inactive_by_id.setdefault(object_id(raw_id), inactive)

    @property
    def inactive_pct(self) -> int | None:
        return pct(self.enabled_inactive_count, self.enabled_count)

    @property
    def inactive_guest_pct(self) -> int | None:
        return pct(self.enabled_guest_inactive_count, self.enabled_guest_count)


async def fetch_directory(reader: GraphReader) -> UserDirectory:
    """G3 alone: list every user once and aggregate as pages arrive."""
    directory = UserDirectory()
    async for page in reader.pages(DIRECTORY_QUERY):
        directory.add_page(page)
    return directory


async def fetch_with_sign_in_activity(
    reader: GraphReader, now: datetime
) -> tuple[Outcome[UserDirectory], Outcome[SignInActivity]]:
    """G5 and G3 from one listing when possible; G3 on its own when G5 is unavailable.

    A large tenant is listed in parallel `createdDateTime` ranges when Graph proves they
    cover it exactly (user_partitions); otherwise, or when that listing fails its check,
    as the single chain.
    """
    found: list[UserDirectory] = []

    async def both() -> SignInActivity:
        partitioned = await _partitioned(reader, now)
        if partitioned is not None:
            found.append(partitioned[0])
            return partitioned[1]
        directory, activity = UserDirectory(), SignInActivity(now=now)
        async for page in reader.pages(SIGN_IN_QUERY):
            directory.add_page(page)
            activity.add_page(page)
        found.append(directory)
        return activity

    sign_in = await outcome_of("G5", both)
    if sign_in.available:
        return Outcome(found[0]), sign_in
    if any(failure.cause == "deadline" for failure in sign_in.failures):
        return Outcome(None, sign_in.failures), sign_in
    return await outcome_of("G3", lambda: fetch_directory(reader)), sign_in


async def _partitioned(
    reader: GraphReader, now: datetime
) -> tuple[UserDirectory, SignInActivity] | None:
    """The partitioned listing when it is planned and checks out; None means "list the
    single chain". Only a deadline is not a reason to fall back: it ends the surface."""
    directory, activity = UserDirectory(), SignInActivity(now=now)

    def add_page(page: list[dict[str, Any]]) -> None:
        directory.add_page(page)
        activity.add_page(page)

    try:
        partitions = await user_partitions.plan(reader, now)
        if partitions is None:
            return None
        await user_partitions.list_partitions(reader, SIGN_IN_QUERY, partitions, add_page)
    except SurfaceError as error:
        if error.failure.cause == "deadline":
            raise
        return None
    exact = directory.total_count == len(directory.user_ids) == partitions.total
    return (directory, activity) if exact else None
