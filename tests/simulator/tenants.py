"""Ready-made scenarios: the demo tenant used by `make demo`."""

from __future__ import annotations

from tests.simulator.scenario import Scenario

DEMO_SUBSCRIPTIONS = [
    "33333333-3333-3333-3333-333333333333",
    "44444444-4444-4444-4444-444444444444",
]


def demo_scenario() -> tuple[Scenario, list[str]]:
    """A small tenant with members, guests and disabled users, and two subscriptions."""
    scenario = Scenario()
    scenario.graph_collections["/users"] = [
        {
            "id": f"00000000-0000-0000-0000-{index:012d}",
            "accountEnabled": index % 7 != 0,
            "userType": "Guest" if index % 5 == 0 else "Member",
        }
        for index in range(1, 41)
    ]
    for subscription_id in DEMO_SUBSCRIPTIONS:
        scenario.add_subscription(subscription_id)
    return scenario, list(DEMO_SUBSCRIPTIONS)
