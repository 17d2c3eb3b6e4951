"""Directory audits, sign-ins and a resource inventory with hand-worked counts (test_levels)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, overload

from tests.simulator import Scenario
from tests.tenants.azure_estate import S1
from tests.tenants.entra_tenant import iso

WINDOW = timedelta(hours=168)


def _event(category: str, targets: list[dict[str, Any]], at: str, **extra: Any) -> dict[str, Any]:
    event = {
        "id": "e",
        "activityDateTime": at,
        "category": category,
        "activityDisplayName": "Secret op",
        "initiatedBy": {"user": {"userPrincipalName": "admin@contoso.example"}},
        "targetResources": [{**t, "displayName": "Target Secret"} for t in targets],
    }
    event.update(extra)
    return event


def add_directory_audits(scenario: Scenario, now: datetime) -> None:
    inside = iso(now - timedelta(hours=1))
    scenario.graph_collections["/auditLogs/directoryAudits"] = [
        _event(
            "UserManagement", [{"type": "User"}], inside, operationType="Update", result="success"
        ),
        _event(
            "GroupManagement", [{"Type": "Group"}], inside, operationType="Delete", result="failure"
        ),
        _event("ApplicationManagement", [{"type": "ServicePrincipal"}], inside, result="timeout"),
        _event("Other", [{"type": "Application"}], inside),
        _event("RoleManagement", [{"type": "Role"}], inside, loggedByService="PIM"),
        _event("Policy", [{"type": "Policy"}], inside, loggedByService="Core Directory"),
        _event("RoleManagement", [], inside, loggedByService="Privileged Identity Management"),
        _event("Device", [{"type": "Device"}], inside, result="unknownFutureValue"),
        _event(
            "UserManagement", [{"type": "User"}], iso(now - WINDOW - timedelta(seconds=60))
        ),  # outside
        _event(
            "UserManagement", [], iso(now - WINDOW + timedelta(seconds=60)), operationType="delete"
        ),
    ]
    scenario.graph_page_caps["/auditLogs/directoryAudits"] = 4


def _sign_in(
    user: str,
    app: str,
    code: Any,
    ca: str,
    applied: list[dict[str, Any]],
    client: str,
    risk: tuple[str, str],
    at: str,
) -> dict[str, Any]:
    return {
        "id": "s",
        "createdDateTime": at,
        "userId": user,
        "appId": app,
        "userPrincipalName": "u@contoso.example",
        "ipAddress": "198.51.100.23",
        "location": {"city": "Secret City"},
        "deviceDetail": {"displayName": "PC-SECRET"},
        "appDisplayName": "Secret App",
        "status": {"errorCode": code},
        "conditionalAccessStatus": ca,
        "appliedConditionalAccessPolicies": [
            {**p, "displayName": "Secret Policy"} for p in applied
        ],
        "clientAppUsed": client,
        "riskLevelAggregated": risk[0],
        "riskLevelDuringSignIn": risk[1],
    }


U = [f"cccccccc-0000-0000-0000-{n:012d}" for n in range(5)]
A = [f"dddddddd-0000-0000-0000-{n:012d}" for n in range(5)]
P = [f"eeeeeeee-0000-0000-0000-{n:012d}" for n in range(4)]


def add_sign_ins(scenario: Scenario, now: datetime) -> None:
    at = iso(now - timedelta(hours=2))
    rows = [
        _sign_in(
            U[1],
            A[1],
            0,
            "success",
            [{"id": P[1], "result": "success"}, {"id": P[2], "result": "notApplied"}],
            "Browser",
            ("none", "none"),
            at,
        ),
        _sign_in(
            U[1].upper(),
            A[2],
            50126,
            "failure",
            [{"id": P[1], "result": "failure"}],
            "IMAP4",
            ("low", "none"),
            at,
        ),
        _sign_in(
            U[2], A[1], 50126, "notApplied", [], "Exchange ActiveSync", ("hidden", "medium"), at
        ),
        _sign_in(
            "",
            A[1],
            53003,
            "not_applied",
            [
                {"id": P[3], "result": "reportOnlyFailure"},
                {"id": P[3], "result": "reportOnlySuccess"},
                {"id": "", "result": "notEnabled"},
            ],
            "Browser",
            ("none", "none"),
            at,
        ),
        _sign_in(
            U[3],
            A[3],
            "50126",
            "unknownFutureValue",
            [],
            "Browser",
            ("unknownFutureValue", "none"),
            at,
        ),
        _sign_in(
            U[3],
            A[3],
            50126,
            "failure",
            [],
            "IMAP4",
            ("high", "high"),
            iso(now - WINDOW - timedelta(minutes=1)),
        ),
    ]
    rows += [
        _sign_in(
            U[4], A[4], code, "failure", [], "Mobile Apps and Desktop clients", ("none", "none"), at
        )
        for code in range(1, 12)
    ]
    scenario.graph_collections["/auditLogs/signIns"] = rows
    scenario.graph_page_caps["/auditLogs/signIns"] = 5


def add_inventory(scenario: Scenario) -> None:
    base = f"/subscriptions/{S1}/resourceGroups"
    resources: list[dict[str, Any]] = [
        {
            "id": f"{base}/RG-One/providers/Microsoft.Compute/virtualMachines/vm-secret",
            "name": "vm-secret",
            "type": "Microsoft.Compute/virtualMachines",
            "location": "WestEurope",
            "tags": {"Owner": "alice", "Environment": "Prod"},
        },
        {
            "id": f"{base}/rg-one/providers/Microsoft.Compute/virtualMachines/vm-secret-2",
            "name": "vm-secret-2",
            "type": "microsoft.compute/virtualMachines",
            "location": "westeurope ",
            "tags": {"env": "  ", "Stage": "production", "owner": ""},
        },
        {
            "id": f"{base}/rg-two/providers/Microsoft.Storage/storageAccounts/sa-secret",
            "name": "sa-secret",
            "type": "Microsoft.Storage/storageAccounts",
            "location": "global",
            "tags": {"application-owner": "team", "ENV": "dev", "environment": "prod"},
        },
        {
            "id": f"/subscriptions/{S1}/providers/Microsoft.Security/pricings/p-secret",
            "name": "p-secret",
            "type": "Microsoft.Security/pricings",
            "location": "",
            "tags": None,
        },
        {
            "id": f"{base}/rg-two/providers/Custom/things/t-secret",
            "name": "t-secret",
            "type": "Weird Type!",
            "location": "eastus",
            "tags": {"Contact": 5},
        },
    ]
    resources += [
        {
            "id": f"{base}/rg-three/providers/Microsoft.Test/type{k}/r{k}",
            "name": f"r{k}",
            "type": f"Microsoft.Test/type{k}",
            "location": "eastus",
        }
        for k in range(10)
    ]
    scenario.arm_collections[f"/subscriptions/{S1}/resources"] = resources


class LazyRows(Sequence[dict[str, Any]]):
    """`count` generated rows that all satisfy the listing's server-side filter (no storage)."""

    prefiltered = True

    def __init__(self, count: int, make: Callable[[int], dict[str, Any]]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(self._count))]
        return self._make(index)


class CreatedInOrder(LazyRows):
    """Generated users whose `createdDateTime` rises with their index, one every `step`
    from `first`: a `createdDateTime` range filter is an index range, answered without
    generating the users outside it (the simulator asks `created_between`)."""

    def __init__(
        self,
        count: int,
        make: Callable[[int], dict[str, Any]],
        first: datetime,
        step: timedelta,
    ) -> None:
        self._first, self._step = first, step
        super().__init__(count, lambda i: {**make(i), "createdDateTime": iso(first + i * step)})

    def created_between(self, low: str, high: str) -> LazyRows:
        def index(moment: str, rounding: int) -> int:
            offset = datetime.fromisoformat(moment.replace("Z", "+00:00")) - self._first
            whole, rest = divmod(offset, self._step)
            return whole + (1 if rounding > 0 and rest else 0)

        start = max(0, index(low, +1))
        stop = min(len(self), index(high, -1) + 1)
        return LazyRows(max(0, stop - start), lambda j: self[start + j])


def many_sign_ins(count: int, now: datetime | None = None) -> LazyRows:
    at = iso((now or datetime.now(UTC)) - timedelta(hours=3))

    def make(i: int) -> dict[str, Any]:
        return _sign_in(
            f"cccccccc-0000-0000-0000-{i % 50_000:012d}",
            A[i % 5],
            50126 if i % 10 == 0 else 0,
            "success",
            [{"id": P[i % 4], "result": "success"}],
            "Browser",
            ("none", "none"),
            at,
        )

    return LazyRows(count, make)
