"""The benchmark's own arithmetic, and the request economy it measures, on a small estate.

The numbers that matter (wall time, memory) are printed by `python -m bench`, not asserted
here. What is asserted is exact: the collector sends the minimal plan of docs/performance.md
request for request, and a throttled reporting listing completes with few retries.
"""

from __future__ import annotations

import sys

from bench.estate import MIX, WIDE_MIX, WIDE_SUBSCRIPTIONS, Size, large_estate
from bench.plan import minimal_plan, route_of
from bench.run import checks, run_level
from tests.runner import base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.simulator.scenario import Bucket, Throttling

SMALL = Size(
    users=250,  # three /users pages at the signInActivity cap of 120
    service_principals=1_000,  # two pages of 999
    applications=999,
    ca_policies=4,
    role_assignments=1_000,
    eligibility_schedules=3,
    subscriptions=1,
    sign_ins=2_000,
    directory_audits=1_000,
)


def test_plan_arithmetic_for_the_issue_estate() -> None:
    plan = minimal_plan(Size(), "internal")
    # two $counts, 11 splits into 12 ranges: users created one every 1,000 s from 2017 land
    # 28,067 ×3, 28,066 ×3, 27,305 and 4,296 in the eight populated ranges (234 ×6 + 228 + 36
    # = 1,668 pages) and none in four (one empty page each): 1,672 pages
    assert plan["G3+G5"] == 2 + 11 + 1_672
    assert plan["G4"] == 201  # ⌈200,000 / 999⌉
    assert plan["G10"] == 6 and plan["G11"] == 4 and plan["G8"] == 3
    assert plan["G13"] == 51 and plan["G14"] == 501
    assert MIX.resources == 1_000 and MIX.monitored == 525
    assert plan["A19"] == 20 * 525 and plan["A10"] == 20 * 50 and plan["A9"] == 20 * 25
    assert plan["G15"] == plan["G16"] == plan["G17"] == 1
    # CAG: the enabled policies exclude and the report-only ones include the same ten groups
    # (1, 4, …, 28 of 30); each group of 4,000 users is ⌈4,000 / 999⌉ = 5 pages
    assert plan["G18"] == 10 * 5
    # v1.1 ARM per subscription: A22 1, A23 and A24 25 each (one per server), A25 1, A26 1 (one
    # watcher), A27 1 = 54; × 20 subscriptions = 1,080
    assert plan["A23"] == plan["A24"] == 20 * 25 and plan["A26"] == 20
    # issue 19: the partitioned users listing adds 13 $counts and 5 partial pages
    assert sum(plan.values()) == 15_341 + 53 + 1_080 + 18
    assert sum(minimal_plan(Size(), "trust").values()) == 14_769 + 53 + 1_080 + 18


def test_resource_graph_plans_for_the_standard_and_wide_estates() -> None:
    per_subscription = minimal_plan(Size(), "internal")
    graph = minimal_plan(Size(), "internal", MIX, resource_graph=True)
    # 11 one-page listings × 20 subscriptions leave; their rows over 20 subscriptions at 1,000
    # a page come in: A2 6, A6 3, A7 2, A8 1, A11 4, A12 3, A13 1, A17 2, A22 1, A25 1, A27 1
    assert graph["ARG"] == 25 and "A6" not in graph and graph["A9"] == per_subscription["A9"]
    assert sum(graph.values()) == sum(per_subscription.values()) - 220 + 25
    wide = Size(subscriptions=WIDE_SUBSCRIPTIONS)
    listed = minimal_plan(wide, "trust", WIDE_MIX)
    queried = minimal_plan(wide, "trust", WIDE_MIX, resource_graph=True)
    # 300 × (60, 30, 20, 5, 40, 30, 2, 20, 12, 1, 4) rows: 18+9+6+2+12+9+1+6+4+1+2 pages
    assert queried["ARG"] == 70
    assert route_of("arm", "/providers/Microsoft.ResourceGraph/resources") == "ARG"
    # per subscription 154 ARM requests, 105 of them A19's per-resource diagnostic settings
    assert sum(v for k, v in listed.items() if k.startswith("A")) == 300 * 154
    assert listed["A19"] == 300 * 105
    assert sum(v for k, v in queried.items() if k.startswith("A")) == 300 * 143 + 70


def test_routes_are_classified_by_contract_number() -> None:
    sub = "/subscriptions/s/resourceGroups/rg/providers"
    assert route_of("graph", "/v1.0/users") == "G3+G5"
    assert route_of("arm", "/subscriptions/s") == "A0"
    assert (
        route_of("arm", "/subscriptions/s/providers/Microsoft.Insights/diagnosticSettings") == "A18"
    )
    assert (
        route_of(
            "arm", f"{sub}/Microsoft.Sql/servers/x/providers/Microsoft.Insights/diagnosticSettings"
        )
        == "A19"
    )
    assert route_of("arm", f"{sub}/Microsoft.Sql/servers/x/databases") == "A9"
    assert (
        route_of(
            "arm", f"{sub}/Microsoft.Sql/servers/x/databases/d/transparentDataEncryption/current"
        )
        == "A10"
    )
    assert route_of("arm", f"{sub}/Microsoft.RecoveryServices/vaults/v/backupJobs") == "A16"
    assert route_of("login", "/t/oauth2/v2.0/token") == "token"


def test_every_route_is_read_once_at_maximum_page_size() -> None:
    run = run_level("internal", SMALL, None, 0.0, [sys.executable, "-m", "collector"])
    assert all(ok for _, ok in checks(run, SMALL)), checks(run, SMALL)
    assert run.requests == run.plan  # route by route: nothing listed twice, no small pages
    assert run.retries == 0


def test_a_throttled_reporting_listing_is_paced_not_stormed() -> None:
    scenario, _ = large_estate(Size(users=10, subscriptions=0, sign_ins=8_000, directory_audits=1))
    scenario.graph_page_caps["/auditLogs/signIns"] = 100  # 80 pages through a 3-token bucket
    scenario.throttling = Throttling(graph_reporting=Bucket(3, 20))
    with Simulator(scenario) as sim:
        run = run_collector(base_config(sim, level="internal"), epack_env(sim))
        sign_in_requests = [r for r in sim.requests("graph") if r.path == "/v1.0/auditLogs/signIns"]
        throttled = sim.statuses[("graph", 429)]
    assert run.returncode == 0, run.stderr
    entra = run.artifact("entra.json")
    assert entra is not None
    assert entra["sign_in_monitoring"]["sign_ins_count"] == 8_000
    # Unpaced, every request after the first burst would meet an empty bucket; paced, a few do.
    assert throttled <= 0.15 * len(sign_in_requests)


def test_the_realistic_service_model_prices_each_route() -> None:
    from tests.simulator.scenario import ServiceModel

    model = ServiceModel()
    users_page = "%24select=id,accountEnabled,signInActivity&%24top=999"
    assert model.seconds("graph", "/v1.0/users", users_page) == 0.150 + 0.600
    assert model.seconds("graph", "/v1.0/users", "%24count=true&%24select=id") == 0.150
    registration = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
    assert model.seconds("graph", registration, "") == 0.150 + 0.400
    assert model.seconds("graph", "/v1.0/auditLogs/signIns", "") == 0.150 + 0.400
    assert model.seconds("graph", "/v1.0/servicePrincipals", "") == 0.150
    assert model.seconds("arm", "/subscriptions", "") == 0.100
    assert model.seconds("login", "/tenant/oauth2/v2.0/token", "") == 0.100
