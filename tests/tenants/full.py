"""The whole hand-built estate at once: Entra tenant, Azure estate, activity logs, inventory."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.simulator import Scenario
from tests.tenants.activity import add_directory_audits, add_inventory, add_sign_ins
from tests.tenants.azure_estate import azure_estate
from tests.tenants.entra_tenant import entra_tenant


def full_estate(now: datetime | None = None) -> Scenario:
    moment = now or datetime.now(UTC)
    scenario = entra_tenant(moment)
    azure_estate(scenario, moment)
    add_directory_audits(scenario, moment)
    add_sign_ins(scenario, moment)
    add_inventory(scenario)
    return scenario
