"""G13 directory audits and G14 sign-ins over the last 168 hours (internal level).

Both logs are streamed and counted page by page. Rows are never kept: only counters, a
counter of failure codes, and the distinct-ID sets that unique counts need (opaque object IDs,
packed as integers, dropped when the run ends). No UPN, IP, device, location or app name is
requested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp
from collector.core.config import is_guid
from collector.core.metrics import format_timestamp, is_number

LOOKBACK: Final = timedelta(hours=168)
TOP_CODES: Final = 10
LEGACY_CLIENTS: Final = (
    "other clients",
    "exchange activesync",
    "imap",
    "pop",
    "smtp",
    "mapi",
    "autodiscover",
)
NOT_RISKY: Final = frozenset({"", "none", "hidden", "unknownfuturevalue"})


def window_start(now: datetime) -> str:
    """`now − 168 h` as the filter literal (computed once per run from the run's clock)."""
    return format_timestamp(now - LOOKBACK)


def _last_week(
    builder: Callable[[Any], Any], time_field: str, fields: str, now: datetime, counted_as: str
) -> GraphQuery:
    """A reporting listing of the last 168 hours, newest first, with only the fields counted."""
    return GraphQuery(
        builder,
        filter=f"{time_field} ge {window_start(now)}",
        orderby=(f"{time_field} desc",),
        select=("id", time_field, *fields.split()),
        top=999,
        reporting=True,
        counted_as=counted_as,
    )


def directory_audits_query(now: datetime) -> GraphQuery:
    fields = "category loggedByService operationType result targetResources"
    return _last_week(
        lambda client: client.audit_logs.directory_audits,
        "activityDateTime",
        fields,
        now,
        "directory audit events",
    )


def sign_ins_query(now: datetime) -> GraphQuery:
    fields = (
        "userId appId status conditionalAccessStatus appliedConditionalAccessPolicies clientAppUsed "
        "riskLevelAggregated riskLevelDuringSignIn"
    )
    return _last_week(
        lambda client: client.audit_logs.sign_ins, "createdDateTime", fields, now, "sign-ins"
    )


def normalize(value: Any) -> str:
    """Lower-case ASCII letters only (`notApplied` and `not_applied` compare equal)."""
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text.lower() if "a" <= ch <= "z")


def _target_types(event: dict[str, Any]) -> set[str]:
    types: set[str] = set()
    for target in jp.objects(event, "targetResources"):
        for key, value in target.items():
            if key.lower() == "type" and isinstance(value, str):
                types.add(value.lower())
    return types


@dataclass
class DirectoryActivity:
    events: int = 0
    failures: int = 0
    deletes: int = 0
    user_changes: int = 0
    group_changes: int = 0
    app_changes: int = 0
    role_changes: int = 0
    policy_changes: int = 0
    pim_events: int = 0

    def add_page(self, events: Iterable[dict[str, Any]]) -> None:
        for event in events:
            self.events += 1
            category = jp.lower(event, "category")
            service = jp.text(event, "loggedByService")
            types = _target_types(event)
            self.failures += jp.lower(event, "result") in ("failure", "timeout")
            self.deletes += jp.lower(event, "operationType") == "delete"
            self.user_changes += "usermanagement" in category or "user" in types
            self.group_changes += "groupmanagement" in category or "group" in types
            self.app_changes += "applicationmanagement" in category or bool(
                types & {"application", "serviceprincipal"}
            )
            self.role_changes += "rolemanagement" in category or "role" in types
            self.policy_changes += "policy" in category or "policy" in types
            self.pim_events += (
                "privileged identity management" in f"{category} {service.lower()}"
                or service.strip().lower() == "pim"
            )

    def block(self) -> dict[str, int]:
        return {
            "lookback_hours": 168,
            "events_count": self.events,
            "failure_count": self.failures,
            "delete_events_count": self.deletes,
            "user_change_events_count": self.user_changes,
            "group_change_events_count": self.group_changes,
            "app_change_events_count": self.app_changes,
            "role_change_events_count": self.role_changes,
            "policy_change_events_count": self.policy_changes,
            "pim_events_count": self.pim_events,
        }


def _packed(identifier: str) -> int | str:
    """A GUID as a 128-bit integer (a third of the memory of the string); anything else as is."""
    return int(identifier.replace("-", ""), 16) if is_guid(identifier) else identifier


@dataclass
class SignInMonitoring:
    sign_ins: int = 0
    failures: int = 0
    legacy: int = 0
    risky: int = 0
    ca_success: int = 0
    ca_failure: int = 0
    ca_not_applied: int = 0
    evaluations: int = 0
    policy_success: int = 0
    policy_failure: int = 0
    policy_not_applied: int = 0
    policy_report_only_fail: int = 0
    users: set[int | str] = field(default_factory=set)
    apps: set[int | str] = field(default_factory=set)
    policies: set[int | str] = field(default_factory=set)
    failure_codes: Counter[int] = field(default_factory=Counter)

    def add_page(self, sign_ins: Iterable[dict[str, Any]]) -> None:
        for sign_in in sign_ins:
            self._add(sign_in)

    def _add(self, sign_in: dict[str, Any]) -> None:
        self.sign_ins += 1
        code: Any = jp.get(sign_in, "status", "errorCode")
        if is_number(code) and int(code) != 0:
            self.failures += 1
            self.failure_codes[int(code)] += 1
        for key, bucket in (("userId", self.users), ("appId", self.apps)):
            identifier = jp.lower(sign_in, key)
            if identifier:
                bucket.add(_packed(identifier))
        client = jp.lower(sign_in, "clientAppUsed")
        self.legacy += any(marker in client for marker in LEGACY_CLIENTS)
        self.risky += (
            jp.text(sign_in, "riskLevelAggregated").strip().lower() not in NOT_RISKY
            or jp.text(sign_in, "riskLevelDuringSignIn").strip().lower() not in NOT_RISKY
        )
        status = normalize(sign_in.get("conditionalAccessStatus"))
        self.ca_success += status == "success"
        self.ca_failure += status == "failure"
        self.ca_not_applied += status == "notapplied"
        for policy in jp.objects(sign_in, "appliedConditionalAccessPolicies"):
            self.evaluations += 1
            if jp.text(policy, "id"):
                self.policies.add(_packed(jp.lower(policy, "id")))
            result = normalize(policy.get("result"))
            self.policy_success += result == "success"
            self.policy_failure += result == "failure"
            self.policy_not_applied += result in ("notapplied", "notenabled")
            self.policy_report_only_fail += result == "reportonlyfailure"

    def top_failure_codes(self) -> tuple[list[dict[str, int]], int]:
        ordered = sorted(self.failure_codes.items(), key=lambda item: (-item[1], item[0]))
        top = [{"code": code, "count": count} for code, count in ordered[:TOP_CODES]]
        return top, max(0, len(ordered) - TOP_CODES)

    def block(self) -> dict[str, Any]:
        return {
            "lookback_hours": 168,
            "sign_ins_count": self.sign_ins,
            "failure_count": self.failures,
            "unique_users_count": len(self.users),
            "unique_apps_count": len(self.apps),
            "legacy_client_sign_ins_count": self.legacy,
            "risky_sign_ins_count": self.risky,
            "conditional_access_success_count": self.ca_success,
            "conditional_access_failure_count": self.ca_failure,
            "conditional_access_not_applied_count": self.ca_not_applied,
            "applied_policies_count": len(self.policies),
            "applied_policy_evaluations_count": self.evaluations,
            "applied_policy_success_count": self.policy_success,
            "applied_policy_failure_count": self.policy_failure,
            "applied_policy_not_applied_count": self.policy_not_applied,
            "applied_policy_report_only_fail_count": self.policy_report_only_fail,
            "top_failure_codes": self.top_failure_codes()[0],
        }


async def fetch_directory_activity(reader: GraphReader, now: datetime) -> DirectoryActivity:
    activity = DirectoryActivity()
    async for page in reader.pages(directory_audits_query(now)):
        activity.add_page(page)
    return activity


async def fetch_sign_in_monitoring(reader: GraphReader, now: datetime) -> SignInMonitoring:
    monitoring = SignInMonitoring()
    async for page in reader.pages(sign_ins_query(now)):
        monitoring.add_page(page)
    return monitoring
