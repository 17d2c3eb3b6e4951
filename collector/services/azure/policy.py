"""A4 Azure Policy assignments and A5 the latest compliance summary (a read-only POST)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.mgmt.policyinsights.aio import PolicyInsightsClient
from azure.mgmt.policyinsights.operations._policy_states_operations import (
    build_summarize_for_subscription_request,
)
from azure.mgmt.resource.policy.aio import PolicyClient
from azure.mgmt.resource.policy.operations._operations import (
    build_policy_assignments_list_request,
)

from collector.clients.arm_context import SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import is_number, pct


@dataclass(frozen=True)
class ComplianceSummary:
    compliant: int
    noncompliant: int

    @property
    def compliant_pct(self) -> int | None:
        return pct(self.compliant, self.compliant + self.noncompliant)


def summarize(document: dict[str, Any]) -> ComplianceSummary:
    """Sum `count` over value[].results.resourceDetails[] by complianceState (§5.2.5)."""
    totals = {"compliant": 0, "noncompliant": 0}
    for summary in jp.objects(document, "value"):
        for detail in jp.objects(summary, "results", "resourceDetails"):
            state = jp.lower(detail, "complianceState")
            count: Any = detail.get("count")
            if state in totals and is_number(count):
                totals[state] += int(count)
    return ComplianceSummary(totals["compliant"], totals["noncompliant"])


async def fetch_assignment_count(ctx: SubscriptionContext) -> int:
    count = 0
    async with ctx.client(PolicyClient) as client:
        route = ctx.route("/providers/Microsoft.Authorization/policyAssignments")
        request = build_policy_assignments_list_request(ctx.subscription_id)
        async for page in ctx.pages(client, request, route):
            count += len(page)
    return count


async def fetch_compliance(ctx: SubscriptionContext) -> ComplianceSummary:
    async with ctx.client(PolicyInsightsClient) as client:
        route = ctx.route("/providers/Microsoft.PolicyInsights/policyStates/latest/summarize")
        request = build_summarize_for_subscription_request("latest", ctx.subscription_id)
        return summarize(await ctx.get_json(client, request, route))
