"""G2 `/subscribedSkus`: the tenant's Entra ID licence tier (contract §6.8)."""

from __future__ import annotations

from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader

QUERY = GraphQuery(
    lambda client: client.subscribed_skus,
    select=("skuId", "skuPartNumber", "capabilityStatus", "servicePlans"),
)
P2_PLAN: Final = ("eec0eb4f-6444-4f95-aba0-50c24d67f998", "aad_premium_p2")
P1_PLAN: Final = ("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "aad_premium")


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def tier_of(skus: list[dict[str, Any]]) -> str:
    """`p2`, `p1` or `free` from the provisioned plans of enabled or warning SKUs."""
    plans: list[tuple[str, str]] = []
    for sku in skus:
        if _lower(sku.get("capabilityStatus")) not in ("enabled", "warning"):
            continue
        service_plans = sku.get("servicePlans")
        for plan in service_plans if isinstance(service_plans, list) else ():
            if isinstance(plan, dict) and _lower(plan.get("provisioningStatus")) == "success":
                plans.append(
                    (_lower(plan.get("servicePlanId")), _lower(plan.get("servicePlanName")))
                )
    for plan_id, plan_name in ((P2_PLAN[0], P2_PLAN[1]), (P1_PLAN[0], P1_PLAN[1])):
        if any(pid == plan_id or name == plan_name for pid, name in plans):
            return "p2" if plan_id == P2_PLAN[0] else "p1"
    return "free"


async def fetch(reader: GraphReader) -> str:
    skus: list[dict[str, Any]] = []
    async for page in reader.pages(QUERY):
        skus.extend(page)
    return tier_of(skus)
