"""Diagnostics ordering, de-duplication and the page-cap truncation record (§6, §7.1.2)."""

from __future__ import annotations

from collector.collection.diagnostics import Diagnostics, SubscriptionReport
from collector.core.outcomes import Failure, Kind, Outcome

SUB = "33333333-3333-3333-3333-333333333333"
LIMIT = Failure.of(Kind.PAGE_CAP, "graph", "/users?$select&$skiptoken&$top")
TDE = "[resource_id]/transparentDataEncryption/current?api-version"


def test_page_cap_nulls_the_surface_and_records_truncation() -> None:
    arm_limit = Failure.of(
        Kind.PAGE_CAP, "arm", "/subscriptions/[subscription_id]/resources?api-version"
    )
    diagnostics = Diagnostics(
        entra={"G3": Outcome(None, (LIMIT,)), "G5": Outcome(None, (LIMIT,))},
        subscriptions=[SubscriptionReport(SUB, surfaces={"A20": Outcome(None, (arm_limit,))})],
        truncation={"sign_in_monitoring/top_failure_codes": 4},
    ).build()
    assert diagnostics["truncation"] == {
        f"{SUB}/resource_inventory/pages": {"truncated": True, "dropped_count": 1},
        "sign_in_activity/pages": {"truncated": True, "dropped_count": 1},
        "sign_in_monitoring/top_failure_codes": {"truncated": True, "dropped_count": 4},
        "users/pages": {"truncated": True, "dropped_count": 1},
    }
    assert diagnostics["tenant_errors"] == [
        f"users: {LIMIT.detail}",
        f"sign_in_activity: {LIMIT.detail}",
    ]
    assert diagnostics["license"]["capabilities_unavailable"] == [
        "users",
        "sign_in_activity",
        "privileged_access",
    ]


def test_per_item_failures_give_one_warning_and_an_error_each_in_item_order() -> None:
    first = Failure.http("error", "arm", TDE, 500, None)
    second = Failure.of(Kind.TRANSPORT, "arm", TDE, "timeout")
    diagnostics = Diagnostics(
        subscriptions=[
            SubscriptionReport(SUB, surfaces={"A10": Outcome(3, (first, second, first))})
        ],
    ).build()
    assert diagnostics["warnings"] == [
        f"SQL transparent data encryption unavailable for subscription {SUB}: the request failed (see subscription_errors)"
    ]
    assert diagnostics["subscription_errors"] == [
        f"{SUB}: sql_tde: {first.detail}",
        f"{SUB}: sql_tde: {second.detail}",
    ]
