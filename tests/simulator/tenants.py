"""The demo tenant used by `make demo`: the whole hand-built estate of tests/tenants."""

from __future__ import annotations

from tests.simulator.scenario import Scenario
from tests.tenants.azure_estate import S1, S2
from tests.tenants.full import full_estate


def demo_scenario() -> tuple[Scenario, list[str]]:
    """Members, guests, admins, apps, CA policies, two subscriptions and a week of activity."""
    return full_estate(), [S1, S2]
