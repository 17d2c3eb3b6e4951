"""A18 subscription Activity Log export and A19 per-resource diagnostic settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from azure.mgmt.monitor.aio import MonitorManagementClient
from azure.mgmt.monitor.v2021_05_01_preview.operations._diagnostic_settings_operations import (
    build_list_request as build_resource_settings_request,
)
from azure.mgmt.monitor.v2021_05_01_preview.operations._subscription_diagnostic_settings_operations import (
    build_list_request as build_subscription_settings_request,
)

from collector.clients.arm import ArmRoute
from collector.clients.arm_context import SubscriptionContext, per_item
from collector.core import json_paths as jp
from collector.core.outcomes import Failure
from collector.core.registry import invalid_id
from collector.core.resource_ids import has_resource_shape

DESTINATIONS: Final = (
    "workspaceId",
    "storageAccountId",
    "eventHubAuthorizationRuleId",
    "marketplacePartnerId",
)


def has_destination(setting: dict[str, Any]) -> bool:
    return any(jp.text(setting, "properties", key) for key in DESTINATIONS)


def enabled_setting(settings: list[dict[str, Any]]) -> bool:
    """enabledSetting(list): a destination plus some enabled log or metric category."""
    return any(
        has_destination(s)
        and any(
            entry.get("enabled") is True
            for entry in (
                *jp.objects(s, "properties", "logs"),
                *jp.objects(s, "properties", "metrics"),
            )
        )
        for s in settings
    )


def administrative_exported(settings: list[dict[str, Any]]) -> bool:
    return any(
        has_destination(s)
        and any(
            entry.get("enabled") is True
            and (
                jp.lower(entry, "category") == "administrative"
                or jp.lower(entry, "categoryGroup") == "alllogs"
            )
            for entry in jp.objects(s, "properties", "logs")
        )
        for s in settings
    )


@dataclass(frozen=True)
class ActivityLogExport:
    enabled: bool
    administrative_exported: bool


async def fetch_subscription_settings(ctx: SubscriptionContext) -> ActivityLogExport:
    async with ctx.client(MonitorManagementClient) as client:
        route = ctx.route("/providers/Microsoft.Insights/diagnosticSettings")
        request = build_subscription_settings_request(ctx.subscription_id)
        settings = await ctx.list_all(client, request, route)
    return ActivityLogExport(enabled_setting(settings), administrative_exported(settings))


async def _resource_covered(ctx: SubscriptionContext, client: Any, resource_id: str) -> bool:
    if not has_resource_shape(resource_id):
        raise invalid_id("A19")
    route = ArmRoute.of(f"{resource_id}/providers/Microsoft.Insights/diagnosticSettings")
    request = build_resource_settings_request(resource_id.lstrip("/"))
    settings = await ctx.list_all(client, request, route)
    return enabled_setting(settings)


async def fetch_resource_coverage(
    ctx: SubscriptionContext, monitored: list[str]
) -> tuple[int, tuple[Failure, ...]]:
    """How many monitored resources have an enabled diagnostic setting; failures per call."""
    async with ctx.client(MonitorManagementClient) as client:
        covered, failures = await per_item(
            "A19", monitored, lambda resource: _resource_covered(ctx, client, resource)
        )
    return sum(1 for value in covered if value), failures
