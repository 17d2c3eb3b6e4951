"""Table tests for the pure reducers: each row is a JSON fragment and the answer worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from collector.services.azure.backup import (
    BackupEstate,
    Job,
    ProtectedItem,
    Vault,
    duration_days,
    reduce_item,
    retention_days,
)
from collector.services.azure.network import covers, opens, rule_opens
from collector.services.entra.conditional_access import ConditionalAccess, reduce_policy

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# ----- NSG port coverage (A17, §5.2.11) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "port", "open_"),
    [
        ("*", 22, True),
        ("22", 22, True),
        (" 22 ", 22, True),  # whitespace is trimmed
        ("23", 22, False),
        ("20-30", 22, True),
        ("20 - 30", 22, True),
        ("23-30", 22, False),
        ("3389", 3389, True),
        ("22,3389", 3389, True),
        ("80,443", 22, False),
        ("1-65535", 3389, True),
        ("", 22, False),
        ("ssh", 22, False),  # service names are not ports
        ("20-", 22, False),
        ("-30", 22, False),
        ("+22", 22, False),
    ],
)
def test_port_expressions(expression: str, port: int, open_: bool) -> None:
    assert covers(expression, port) is open_


def _rule(**properties: Any) -> dict[str, Any]:
    base = {
        "access": "Allow",
        "direction": "Inbound",
        "protocol": "Tcp",
        "sourceAddressPrefix": "*",
        "destinationPortRange": "22",
    }
    return {"properties": base | properties}


@pytest.mark.parametrize(
    ("rule", "open_"),
    [
        (_rule(), True),
        (_rule(access="Deny"), False),
        (_rule(direction="Outbound"), False),
        (_rule(protocol="Udp"), False),  # SSH is TCP
        (_rule(protocol="*"), True),
        (_rule(sourceAddressPrefix="10.0.0.0/8"), False),
        (_rule(sourceAddressPrefix="Internet"), True),
        (_rule(sourceAddressPrefix="0.0.0.0/0"), True),
        (_rule(sourceAddressPrefix="", sourceAddressPrefixes=["10.0.0.1", "::/0"]), True),
        (_rule(destinationPortRange="", destinationPortRanges=["80", "20-25"]), True),
        (_rule(destinationPortRange="2222"), False),
        ({"properties": "not an object"}, False),
    ],
)
def test_inbound_rules_open_ssh(rule: dict[str, Any], open_: bool) -> None:
    assert rule_opens(rule, 22) is open_


def test_only_custom_security_rules_count() -> None:
    """Default rules (`defaultSecurityRules`) are Azure's own and never counted."""
    nsg = {"properties": {"defaultSecurityRules": [_rule()], "securityRules": []}}
    assert opens(nsg, 22) is False
    assert opens({"properties": {"securityRules": [_rule(access="Deny"), _rule()]}}, 22) is True


# ----- backup retention (A15) and latest backup age (A14/A16, §5.2.10) -------------------------


@pytest.mark.parametrize(
    ("duration", "days"),
    [
        ({"durationCountInDays": 30}, 30),
        ({"DurationCountInDays": 7, "count": 99, "durationType": "Years"}, 7),  # days win
        ({"count": 4, "durationType": "Weeks"}, 28),
        ({"count": 2, "durationType": "Months"}, 60),  # a month is 30 days
        ({"count": 1, "durationType": "Years"}, 365),
        ({"count": 3, "durationType": "Fortnights"}, 0),  # unknown unit
        ({"count": "3", "durationType": "Days"}, 0),  # a string is not a number
        ({}, 0),
    ],
)
def test_duration_days(duration: dict[str, Any], days: int) -> None:
    assert duration_days(duration) == days


def test_retention_walks_every_key_that_names_retention() -> None:
    policy = {
        "schedulePolicy": {"count": 1, "durationType": "Years"},  # not retention: ignored
        "retentionPolicy": {
            "dailySchedule": {"retentionDuration": {"count": 14, "durationType": "Days"}},
            "weeklySchedule": {"retentionDuration": {"count": 0, "durationType": "Weeks"}},
        },
        "subProtectionPolicy": [
            {
                "retentionPolicy": {
                    "monthlySchedule": {"retentionDuration": {"count": 2, "durationType": "Months"}}
                }
            }
        ],
        "instantRpRetentionRangeInDays": 5,  # a bare number, not a duration object
    }
    # 14 days, 0 weeks (not positive, dropped), 2 months = 60 days
    assert sorted(retention_days(policy)) == [14, 60]


def _item(name: str, last: datetime | None, tracked: bool = True) -> ProtectedItem:
    return ProtectedItem("/vm/" + name, tracked, tracked, last, name)


def _job(name: str, at: datetime, ok: bool = True) -> Job:
    return Job(at, failed=not ok, succeeded=ok, entity=name)


def test_latest_backup_age_takes_the_worst_item() -> None:
    vault = Vault(
        "v1",
        soft_delete=True,
        immutable=False,
        items=[
            _item("a", NOW - timedelta(hours=5)),
            _item("b", None),  # no time on the item: its latest successful job (30 h)
            _item("c", NOW - timedelta(hours=400), tracked=False),  # not tracked: ignored
        ],
        policies_retention=[7],
        jobs=[_job("b", NOW - timedelta(hours=30)), _job("b", NOW - timedelta(hours=2), ok=False)],
    )
    assert BackupEstate([vault]).latest_backup_age_hours_max(NOW) == 30


def test_latest_backup_age_from_jobs_alone_when_items_failed() -> None:
    vault = Vault(
        "v1",
        True,
        False,
        items=None,
        jobs=[
            _job("x", NOW - timedelta(hours=10)),
            _job("x", NOW - timedelta(hours=3)),  # x's latest: 3 h
            _job("y", NOW - timedelta(hours=48)),  # y's latest: 48 h
        ],
    )
    assert BackupEstate([vault]).latest_backup_age_hours_max(NOW) == 48


def test_latest_backup_age_is_null_without_vaults_or_evidence() -> None:
    assert BackupEstate([]).latest_backup_age_hours_max(NOW) is None
    assert BackupEstate([Vault("v", True, False)]).latest_backup_age_hours_max(NOW) is None
    future = Vault("v", True, False, items=[_item("a", NOW + timedelta(hours=1))], jobs=[])
    assert BackupEstate([future]).latest_backup_age_hours_max(NOW) is None  # later than now


def test_retention_minimum_and_failed_jobs_window() -> None:
    v1 = Vault("v1", True, False, policies_retention=[30, 14], jobs=[])
    v2 = Vault(
        "v2",
        False,
        True,
        policies_retention=[90],
        jobs=[
            _job("a", NOW - timedelta(days=6, hours=23), ok=False),  # inside the 7 days
            _job("a", NOW - timedelta(days=7, hours=1), ok=False),  # outside
            _job("a", NOW - timedelta(days=1)),  # succeeded
        ],
    )
    estate = BackupEstate([v1, v2])
    assert estate.retention_days_min() == 14
    assert estate.failed_jobs_7d(NOW) == 1
    assert estate.vault_share("soft_delete") == 50
    assert estate.vault_share("immutable") == 50


def test_item_reduction_prefers_a_successful_last_backup_then_the_recovery_point() -> None:
    ok = reduce_item(
        {
            "properties": {
                "protectionState": "Protected",
                "lastBackupStatus": "Healthy",
                "lastBackupTime": "2026-11-30T12:00:00Z",
                "lastRecoveryPoint": "2026-11-01T00:00:00Z",
                "friendlyName": " VM-1 ",
            }
        }
    )
    assert ok.last_backup == datetime(2026, 11, 30, 12, tzinfo=UTC) and ok.name == "vm-1"
    failed = reduce_item(
        {
            "properties": {
                "protectionState": "ProtectionError",
                "lastBackupStatus": "Failed",
                "lastBackupTime": "2026-11-30T12:00:00Z",
                "lastRecoveryPoint": "2026-11-01T00:00:00Z",
            }
        }
    )
    assert failed.last_backup == datetime(2026, 11, 1, tzinfo=UTC)
    assert failed.tracked and not failed.protected


# ----- Conditional Access policy reduction (G6, §5.1.4) -----------------------------------------


def _policy(**parts: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": []},
            "applications": {"includeApplications": ["All"]},
        },
        "grantControls": {"builtInControls": ["mfa"]},
    }
    return policy | parts


@pytest.mark.parametrize(
    ("policy", "facts"),
    [
        (_policy(), {"enabled": True, "requires_mfa": True, "all_users": True, "all_apps": True}),
        (_policy(state="enabledForReportingButNotEnforced"), {"enabled": False}),
        (_policy(state="ENABLED"), {"enabled": True}),
        (
            _policy(grantControls={"builtInControls": ["block"]}),
            {"blocks": True, "requires_mfa": False},
        ),
        (
            _policy(grantControls={"builtInControls": [], "authenticationStrength": {"id": "x"}}),
            {"requires_mfa": True},  # an authentication strength requires MFA
        ),
        (
            _policy(grantControls={"builtInControls": ["domainJoinedDevice"]}),
            {"requires_compliant_or_joined_device": True, "requires_mfa": False},
        ),
        (
            _policy(
                conditions={
                    "users": {"includeUsers": ["u1"], "includeRoles": ["r1"]},
                    "applications": {"includeApplications": ["MicrosoftAdminPortals"]},
                    "clientAppTypes": ["exchangeActiveSync"],
                }
            ),
            {
                "all_users": False,
                "includes_roles": True,
                "admin_portals": True,
                "all_apps": False,
                "legacy_clients": True,
            },
        ),
        (
            _policy(
                conditions={
                    "users": {"includeUsers": ["All"]},
                    "applications": {
                        "includeApplications": ["All"],
                        "excludeApplications": ["MicrosoftAdminPortals"],
                    },
                }
            ),
            {"admin_portals": False, "all_apps": True},  # admin portals excluded
        ),
        (
            {"state": "enabled", "conditions": "junk", "grantControls": None},
            {"requires_mfa": False},
        ),
    ],
)
def test_policy_reduction(policy: dict[str, Any], facts: dict[str, bool]) -> None:
    reduced = reduce_policy(policy)
    assert {name: getattr(reduced, name) for name in facts} == facts


def test_covered_members_include_minus_exclude_groups_unexpanded() -> None:
    everyone_but_u2 = reduce_policy(
        _policy(conditions={"users": {"includeUsers": ["All"], "excludeUsers": ["U2"]}})
    )
    named = reduce_policy(_policy(conditions={"users": {"includeUsers": ["u4"]}}))
    block_only = reduce_policy(
        _policy(
            conditions={"users": {"includeUsers": ["u5"]}},
            grantControls={"builtInControls": ["block"]},
        )
    )
    members = {"u1", "u2", "u3", "u5"}
    # all minus u2 (case-insensitive) = u1 u3 u5; u4 is not an enabled member; block is not MFA
    assert ConditionalAccess((everyone_but_u2, named, block_only)).covered(members) == {
        "u1",
        "u3",
        "u5",
    }
    assert ConditionalAccess((named,)).covered(members) == set()
