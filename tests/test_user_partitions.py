"""The `/users` listing in parallel `createdDateTime` ranges (issue 19): the same output as the
single chain, byte for byte, and the single chain whenever the ranges cannot be proven exact.

The tenant is the hand-worked Entra tenant plus 7,000 generated members (above
user_partitions.MIN_USERS), so every hand-worked join (roles, registration, CA) is in play.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from collector.services.entra import user_partitions
from tests.conftest import collected
from tests.runner import Run, base_config, comparable, epack_env
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import graph_error
from tests.tenants.entra_tenant import entra_tenant, iso

GENERATED = 7_000


def big_tenant() -> Scenario:
    scenario = entra_tenant()
    # Graph gives every user an id; the hand tenant's id-less row (a reducer test) cannot be
    # proven listed once, so the partitioned listing would rightly refuse the tenant.
    users = [user for user in scenario.graph_collections["/users"] if "id" in user]
    scenario.graph_collections["/users"] = users
    del scenario.graph_page_caps["/users"]  # Graph's own 120 a page with signInActivity
    start = datetime(2018, 3, 1, tzinfo=UTC)
    for index, user in enumerate(users):
        user["createdDateTime"] = iso(start + timedelta(days=index))
    for index in range(GENERATED):
        users.append(
            {
                "id": f"dddddddd-0000-0000-0000-{index:012d}",
                "accountEnabled": index % 9 != 4,
                "userType": "Guest" if index % 7 == 0 else "Member",
                "createdDateTime": iso(start + timedelta(hours=index * 5)),
                **(
                    {"signInActivity": {"lastSignInDateTime": iso(datetime.now(UTC))}}
                    if index % 3
                    else {}
                ),
            }
        )
    return scenario


def run(scenario: Scenario) -> tuple[Run, list[str]]:
    """An `internal` run, and the query strings of every /users request it sent."""
    with Simulator(scenario) as sim:
        result = collected(base_config(sim, level="internal"), epack_env(sim))
        queries = [entry.query for entry in sim.log if entry.path == "/v1.0/users"]
    return result, queries


def artifacts(result: Run) -> str:
    return comparable(result.envelope)


def refused(query_contains: str, times: int | None = None) -> Fault:
    """A 400 as Graph gives for a query it will not run, on /users requests matching."""
    error = graph_error("Request_UnsupportedQuery", "Unsupported query.")
    return Fault("graph", "/v1.0/users", 400, error, times=times, query_contains=query_contains)


def partition_pages(queries: list[str]) -> list[str]:
    return [q for q in queries if "createdDateTime" in q and "signInActivity" in q]


def single_chain_pages(queries: list[str]) -> list[str]:
    return [q for q in queries if "createdDateTime" not in q and "signInActivity" in q]


def test_the_partitioned_listing_equals_the_single_chain() -> None:
    partitioned, queries = run(big_tenant())
    pages = partition_pages(queries)
    assert len(pages) >= 59 and not single_chain_pages(queries)  # 7,010 users, 120 a page
    first_pages = [q for q in pages if "skiptoken" not in q]
    counts = [q for q in queries if "%24count=true" in q]
    # the tenant's and the axis's counts, one per split, and one chain per range
    assert len(first_pages) >= user_partitions.PARTITIONS
    assert len(counts) == 2 + len(first_pages) - 1

    # one user without createdDateTime: no range holds it, so the planner refuses
    scenario = big_tenant()
    del scenario.graph_collections["/users"][3]["createdDateTime"]
    single, queries = run(scenario)
    assert not partition_pages(queries) and len(single_chain_pages(queries)) == 59
    assert artifacts(partitioned) == artifacts(single)
    entra = partitioned.artifact("entra.json")
    assert entra is not None and entra["users"]["total_count"] == 7_010


def test_a_refused_partition_falls_back_to_the_single_chain() -> None:
    reference, _ = run(big_tenant())
    scenario = big_tenant()
    scenario.faults.append(refused("skiptoken", times=1))  # a partition's second page
    fallen_back, queries = run(scenario)
    assert partition_pages(queries) and len(single_chain_pages(queries)) == 59
    assert artifacts(fallen_back) == artifacts(reference)  # no warning, nothing lost


def test_a_count_that_does_not_match_the_listing_falls_back() -> None:
    """An eventually consistent `$count` that already counts a user the listings do not
    return yet: the ranges add up to it, the listing does not, so the single chain is read
    and its result kept (the same as a tenant without that user)."""
    scenario = big_tenant()
    late = scenario.graph_collections["/users"].pop()
    reference, _ = run(scenario)
    scenario = big_tenant()
    scenario.counted_not_listed = {late["id"]}
    fallen_back, queries = run(scenario)
    assert len(partition_pages(queries)) >= 59 and len(single_chain_pages(queries)) == 59
    assert artifacts(fallen_back) == artifacts(reference)


def test_a_tenant_without_count_support_is_listed_as_one_chain() -> None:
    reference, _ = run(big_tenant())
    scenario = big_tenant()
    scenario.faults.append(refused("%24count=true"))
    result, queries = run(scenario)
    assert not partition_pages(queries) and len(single_chain_pages(queries)) == 59
    assert artifacts(result) == artifacts(reference)


def test_a_small_tenant_costs_one_count_and_no_partition() -> None:
    _, queries = run(entra_tenant())
    counts = [q for q in queries if "%24count=true" in q]
    assert len(counts) == 1 and not partition_pages(queries)


def test_ranges_cover_the_axis_without_gaps_or_overlaps() -> None:
    now = datetime(2026, 12, 2, 4, 0, 0, tzinfo=UTC)
    whole = user_partitions.Range(user_partitions.EPOCH, now, 10)
    pieces = [whole]
    for _ in range(5):
        halves = pieces.pop(0).halves()
        assert halves is not None
        pieces += halves
    pieces.sort(key=lambda r: r.start)
    assert pieces[0].start == user_partitions.EPOCH and pieces[-1].end == now
    for left, right in itertools.pairwise(pieces):
        assert right.start == left.end + timedelta(seconds=1)
    assert user_partitions.Range(now, now, 1).halves() is None  # one second cannot split
    assert whole.filter == (
        "createdDateTime ge 1970-01-01T00:00:00Z and createdDateTime le 2026-12-02T04:00:00Z"
    )
