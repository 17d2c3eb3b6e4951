"""A1 Defender for Cloud secure score, A2 security assessments and A22 Defender plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from azure.mgmt.security.aio import SecurityCenter
from azure.mgmt.security.v2020_01_01.operations._assessments_operations import build_list_request
from azure.mgmt.security.v2020_01_01.operations._secure_scores_operations import (
    build_get_request,
)
from azure.mgmt.security.v2024_01_01.operations._pricings_operations import (
    build_list_request as build_pricings_request,
)

from collector.clients.arm_context import Listing, SubscriptionContext
from collector.core import json_paths as jp
from collector.core.metrics import is_number, pct, pctf

PATCH_MARKERS: Final = ("vulnerab", "patch", "update")


ASSESSMENTS = Listing(
    SecurityCenter,
    lambda sub: build_list_request(scope=f"subscriptions/{sub}"),
    "/providers/Microsoft.Security/assessments",
)


PRICINGS = Listing(
    SecurityCenter,
    lambda sub: build_pricings_request(scope_id=f"subscriptions/{sub}"),
    "/providers/Microsoft.Security/pricings",
)


@dataclass
class DefenderPlans:
    """A22: how many Defender plans are on (tier Standard), and Defender for Servers itself."""

    count: int = 0
    standard: int = 0
    servers_enabled: bool = False

    def add(self, plan: dict[str, Any]) -> None:
        self.count += 1
        standard = jp.lower(plan, "properties", "pricingTier") == "standard"
        self.standard += standard
        if jp.lower(plan, "name") == "virtualmachines":
            self.servers_enabled = self.servers_enabled or standard


def secure_score_pct(score: dict[str, Any]) -> int | None:
    """Percentage (0..1 fraction) when positive, else current/max (§5.2.3)."""
    percentage = jp.get(score, "properties", "score", "percentage")
    if is_number(percentage) and percentage > 0:
        return pctf(percentage, 1)
    return pctf(
        jp.get(score, "properties", "score", "current"), jp.get(score, "properties", "score", "max")
    )


@dataclass
class PatchAssessments:
    healthy: int = 0
    unhealthy: int = 0

    def add(self, assessment: dict[str, Any]) -> None:
        categories = " ".join(jp.strings(assessment, "properties", "metadata", "categories"))
        haystack = " ".join(
            (
                jp.text(assessment, "name"),
                jp.text(assessment, "properties", "displayName"),
                categories,
            )
        ).lower()
        if not any(marker in haystack for marker in PATCH_MARKERS):
            return
        status = jp.lower(assessment, "properties", "status", "code")
        self.healthy += status == "healthy"
        self.unhealthy += status == "unhealthy"

    @property
    def unpatched_pct(self) -> int | None:
        return pct(self.unhealthy, self.healthy + self.unhealthy)


async def fetch_secure_score(ctx: SubscriptionContext) -> int | None:
    async with ctx.client(SecurityCenter) as client:
        route = ctx.route("/providers/Microsoft.Security/secureScores/ascScore")
        request = build_get_request("ascScore", ctx.subscription_id)
        score = await ctx.get_json(client, request, route)
    return secure_score_pct(score)


async def fetch_assessments(ctx: SubscriptionContext) -> PatchAssessments:
    return await ctx.fold(ASSESSMENTS, PatchAssessments())


async def fetch_plans(ctx: SubscriptionContext) -> DefenderPlans:
    return await ctx.fold(PRICINGS, DefenderPlans())
