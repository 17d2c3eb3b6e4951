"""A1 Defender for Cloud secure score and A2 security assessments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from azure.mgmt.security.aio import SecurityCenter
from azure.mgmt.security.v2020_01_01.operations._assessments_operations import build_list_request
from azure.mgmt.security.v2020_01_01.operations._secure_scores_operations import (
    build_get_request,
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
