"""Serve a named scenario from a process of its own: `python -m tests.simulator.serve census`.

Prints one JSON line (endpoints, CA path, credentials, subscription IDs) and serves until its
standard input closes. Tools that must not import the test tree (the binary's module census)
start it as a child process and talk to it over HTTPS, as the collector does.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import arm_error, graph_error
from tests.tenants.azure_estate import S1, S2
from tests.tenants.full import full_estate


def census() -> tuple[Scenario, list[str]]:
    """The full estate plus one failing Graph surface and one unregistered provider, so the
    error paths load their modules too."""
    scenario = full_estate()
    scenario.faults += [
        Fault(
            "graph",
            "/v1.0/applications",
            500,
            graph_error("InternalServerError", "x"),
            headers={"Retry-After": "0"},
        ),
        Fault(
            "arm",
            f"/subscriptions/{S2}/providers/Microsoft.KeyVault",
            409,
            arm_error("MissingSubscriptionRegistration", "x"),
        ),
    ]
    return scenario, [S1, S2]


SCENARIOS: dict[str, Callable[[], tuple[Scenario, list[str]]]] = {"census": census}


def main(name: str) -> None:
    scenario, subscriptions = SCENARIOS[name]()
    with Simulator(scenario) as sim:
        description = {
            "endpoints": sim.endpoints(),
            "ca_path": str(sim.ca_path),
            "tenant_id": scenario.tenant_id,
            "client_id": scenario.client_id,
            "client_secret": scenario.client_secret,
            "subscription_ids": subscriptions,
        }
        print(json.dumps(description), flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main(sys.argv[1])
