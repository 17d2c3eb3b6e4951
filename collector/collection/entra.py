"""How each Graph surface of the tenant is collected: the runner per registry key.

G1 (the organization) is read by the run before anything else, because its failure is fatal;
every other tenant surface is scheduled from the registry (collection.scheduler).
"""

from __future__ import annotations

from datetime import datetime

from collector.clients.graph import GraphReader
from collector.collection.scheduler import Outcomes, Runner, collect_scope, fetched, per_item
from collector.core.outcomes import SurfaceResults
from collector.core.registry import ca_groups
from collector.services.entra import (
    activity,
    activity_timeout,
    apps,
    authentication_methods,
    authorization_policy,
    conditional_access,
    group_members,
    licences,
    registration,
    roles,
    secure_score,
    security_defaults,
    users,
)


def _users(reader: GraphReader, now: datetime) -> Runner:
    """G3 and G5 from one listing when sign-in activity is readable (users.py)."""

    async def run(key: str, results: SurfaceResults) -> Outcomes:
        directory, sign_ins = await users.fetch_with_sign_in_activity(reader, now)
        return {"G3": directory, "G5": sign_ins}

    return run


def runners(reader: GraphReader, now: datetime) -> dict[str, Runner]:
    """The runner of every tenant surface but G1."""
    return {
        "G2": fetched(lambda _: licences.fetch(reader)),
        "G3": _users(reader, now),
        "G4": fetched(lambda _: registration.fetch(reader)),
        "G6": fetched(lambda _: conditional_access.fetch(reader)),
        "G7": fetched(lambda _: security_defaults.fetch(reader)),
        "G8": fetched(lambda _: roles.fetch_assignments(reader)),
        "G9": fetched(lambda _: roles.fetch_eligible_count(reader)),
        "G10": fetched(lambda _: apps.fetch_service_principals(reader, now)),
        "G11": fetched(lambda _: apps.fetch_application_credentials(reader, now)),
        "G12": fetched(lambda _: secure_score.fetch(reader)),
        "G13": fetched(lambda _: activity.fetch_directory_activity(reader, now)),
        "G14": fetched(lambda _: activity.fetch_sign_in_monitoring(reader, now)),
        "G15": fetched(lambda _: authorization_policy.fetch(reader)),
        "G16": fetched(lambda _: authentication_methods.fetch(reader)),
        "G17": fetched(lambda _: activity_timeout.fetch(reader)),
        "G18": per_item(lambda results: group_members.fetch(reader, ca_groups(results) or ())),
    }


async def collect_tenant(
    reader: GraphReader, now: datetime, level: str, results: SurfaceResults
) -> None:
    """Fill `results` with every tenant surface the rules call at `level`."""
    await collect_scope("tenant", level, runners(reader, now), results)
