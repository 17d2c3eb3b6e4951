"""Azure Resource Graph for the list surfaces (issue 19): the same output as the
per-subscription listings, field for field, and those listings whenever a query fails.

The estate is the hand-worked one (tests/tenants/azure_estate.py: two readable subscriptions
with every edge case of the list surfaces, one refused), so every aggregate is exercised.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bench.estate import MIX, add_subscription, subscription_id
from collector.core.config import ConfigError, validate_config
from collector.services.azure.resource_graph import SURFACES
from tests.conftest import collected
from tests.runner import Run, base_config, comparable, epack_env
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator import resource_graph as simulated
from tests.simulator.scenario import arm_error
from tests.tenants.azure_estate import S1, S2, S3
from tests.tenants.full import full_estate

GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"
REPLACED_LISTINGS = tuple(surface.listing.suffix.lower() for surface in SURFACES.values())


def run(scenario: Scenario, mode: str, **config: Any) -> tuple[Run, list[str]]:
    """An `internal` run, and the paths of every ARM request it sent."""
    with Simulator(scenario) as sim:
        settings = base_config(
            sim, level="internal", resource_graph=mode, subscription_ids=[S1, S2, S3]
        )
        settings.update(config)
        result = collected(settings, epack_env(sim))
        paths = [entry.path for entry in sim.requests("arm")]
    return result, paths


def outputs(result: Run) -> str:
    return comparable(result.envelope)


def listed_per_subscription(paths: list[str]) -> list[str]:
    return [
        p
        for p in paths
        if p.lower().endswith(REPLACED_LISTINGS) and "/resourcegroups/" not in p.lower()
    ]


def queries(paths: list[str]) -> int:
    return sum(path == GRAPH_PATH for path in paths)


@pytest.fixture(scope="module")
def moment() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def reference(moment: datetime) -> str:
    result, paths = run(full_estate(moment), "never")
    assert queries(paths) == 0 and listed_per_subscription(paths)
    return outputs(result)


def test_resource_graph_equals_the_per_subscription_listings(
    moment: datetime, reference: str
) -> None:
    result, paths = run(full_estate(moment), "always")
    assert queries(paths) == len(SURFACES)  # one page each: the estate is small
    assert listed_per_subscription(paths) == []  # every list surface came from the queries
    assert outputs(result) == reference
    azure = result.artifact("azure.json")
    assert azure is not None and azure["accounts"][0]["storage"]["storage_accounts_count"] > 0


@pytest.mark.parametrize(
    "fault",
    [
        Fault("arm", GRAPH_PATH, 403, arm_error("AuthorizationFailed", "no access")),
        Fault("arm", GRAPH_PATH, 400, arm_error("BadRequest", "Query is invalid.")),
        # A whole answer that does not add up: fewer rows than its totalRecords.
        Fault("arm", GRAPH_PATH, 200, {"totalRecords": 3, "count": 0, "data": []}),
        Fault("arm", GRAPH_PATH, 200, {"totalRecords": 0, "data": [], "resultTruncated": "true"}),
        Fault("arm", GRAPH_PATH, 200, {"totalRecords": 1, "data": "rows"}),
    ],
    ids=["403", "400", "short", "truncated", "not-rows"],
)
def test_a_failed_query_falls_back_to_the_listings(
    moment: datetime, reference: str, fault: Fault
) -> None:
    scenario = full_estate(moment)
    scenario.faults.append(fault)
    result, paths = run(scenario, "always")
    assert queries(paths) == len(SURFACES)
    assert len(listed_per_subscription(paths)) == 2 * len(SURFACES)  # S1 and S2, each surface
    assert outputs(result) == reference  # only the final source's outcome is reported
    assert "ResourceGraph" not in result.stdout + result.stderr


def test_one_failed_query_moves_only_its_surface(moment: datetime, reference: str) -> None:
    scenario = full_estate(moment)
    scenario.faults.append(Fault("arm", GRAPH_PATH, 403, arm_error("Forbidden", "x"), times=1))
    result, paths = run(scenario, "always")
    assert len(listed_per_subscription(paths)) == 2  # one surface, for S1 and S2
    assert outputs(result) == reference


def test_a_row_of_a_subscription_not_asked_about_is_refused(
    moment: datetime, reference: str
) -> None:
    stray = {"id": "/subscriptions/x/providers/p/t/n", "subscriptionId": "x"}
    scenario = full_estate(moment)
    scenario.faults.append(
        Fault("arm", GRAPH_PATH, 200, {"totalRecords": 1, "data": [stray]}, times=1)
    )
    result, paths = run(scenario, "always")
    assert len(listed_per_subscription(paths)) == 2
    assert outputs(result) == reference


def generated(count: int) -> Scenario:
    scenario = Scenario()
    for index in range(count):
        add_subscription(scenario, subscription_id(index), datetime.now(UTC), MIX.scaled(1 / 50))
    return scenario


@pytest.mark.parametrize(("subscriptions", "used"), [(10, False), (11, True)])
def test_auto_queries_above_ten_subscriptions(subscriptions: int, used: bool) -> None:
    scenario = generated(subscriptions)
    ids = [subscription_id(index) for index in range(subscriptions)]
    auto, paths = run(scenario, "auto", subscription_ids=ids, level="trust")
    assert (queries(paths) > 0) is used
    assert bool(listed_per_subscription(paths)) is not used
    never, _ = run(generated(subscriptions), "never", subscription_ids=ids, level="trust")
    assert outputs(auto) == outputs(never)


def test_more_rows_than_a_page_are_read_with_skip_tokens() -> None:
    scenario = generated(11)
    for index in range(11):  # 11 × 3 assessments above 1,000 rows
        path = f"/subscriptions/{subscription_id(index)}/providers/Microsoft.Security/assessments"
        scenario.arm_collections[path] = [
            {"id": f"{path}/a{i}", "name": f"a{i}", "properties": {"status": {"code": "Healthy"}}}
            for i in range(100)
        ]
    ids = [subscription_id(index) for index in range(11)]
    with Simulator(scenario) as sim:
        settings = base_config(sim, subscription_ids=ids, resource_graph="always")
        collected(settings, epack_env(sim))
        bodies = [json.loads(e.body) for e in sim.requests("arm") if e.path == GRAPH_PATH]
    assessments = [b for b in bodies if "microsoft.security/assessments" in b["query"]]
    assert [b["options"].get("$skipToken") for b in assessments] == [None, "1000"]
    assert all(b["options"]["$top"] == 1000 and len(b["subscriptions"]) == 11 for b in bodies)


# ----- the simulator's own query emulation -------------------------------------------------


def ask(query: str, rows: dict[str, list[dict[str, Any]]]) -> tuple[int, Any]:
    body = {"subscriptions": ["s1"], "query": query, "options": {"$top": 2}}
    return simulated.answer(json.dumps(body).encode(), rows)


def test_the_simulator_refuses_a_query_it_does_not_understand() -> None:
    tables = simulated.tables(
        {
            "/subscriptions/s1/providers/Microsoft.Storage/storageAccounts": [
                {"id": "/subscriptions/s1/resourceGroups/G/providers/x/y/b", "name": "b"},
                {"id": "/subscriptions/s1/resourceGroups/G/providers/x/y/a", "name": "a"},
                {"id": "/subscriptions/s1/resourceGroups/G/providers/x/y/c", "name": "c"},
            ]
        }
    )
    status, document = ask("resources | summarize count() by type", tables)
    assert status == 400 and document["error"]["details"][0]["code"] == "InvalidQuery"
    assert ask("nosuchtable", tables)[0] == 400
    status, document = ask(
        "resources | where type =~ 'Microsoft.Storage/storageAccounts' | order by id asc", tables
    )
    assert status == 200 and document["totalRecords"] == 3 and document["$skipToken"] == "2"
    assert [row["name"] for row in document["data"]] == ["a", "b"]
    assert document["data"][0]["type"] == "microsoft.storage/storageaccounts"
    assert document["data"][0]["resourceGroup"] == "g"


# ----- configuration -----------------------------------------------------------------------


def config(**extra: Any) -> dict[str, Any]:
    return {
        "tenant_id": "11111111-1111-1111-1111-111111111111",
        "client_id": "22222222-2222-2222-2222-222222222222",
        "auth_mode": "client_secret",
        "subscription_ids": [f"00000000-0000-0000-0000-{i:012d}" for i in range(11)],
        **extra,
    }


@pytest.mark.parametrize("value", ["sometimes", 1, True, ["auto"]])
def test_an_unknown_resource_graph_mode_is_a_config_error(value: Any) -> None:
    with pytest.raises(ConfigError, match=r"^resource_graph must be one of auto, always, never$"):
        validate_config(config(resource_graph=value))


def test_resource_graph_modes() -> None:
    assert validate_config(config()).resource_graph == "auto"
    assert validate_config(config(resource_graph=" Always ")).resource_graph == "always"
    assert validate_config(config(resource_graph="")).resource_graph == "auto"
    assert validate_config(config()).uses_resource_graph
    assert not validate_config(config(resource_graph="never")).uses_resource_graph
    ten = config(subscription_ids=config()["subscription_ids"][:10])
    assert not validate_config(ten).uses_resource_graph
    assert validate_config({**ten, "resource_graph": "always"}).uses_resource_graph
    assert not validate_config(
        config(subscription_ids=[], resource_graph="always")
    ).uses_resource_graph
