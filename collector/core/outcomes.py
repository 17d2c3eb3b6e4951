"""Surface outcomes: every call family ends available or unavailable with a cause (§4.5, §6.2).

Service modules raise `SurfaceError`; the composer records the `Failure` and nulls the
surface's metrics. Nothing in a `Failure` comes from a response body except a validated error
code, so a failure can be written to an artifact as it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from collector.core.errors import FatalError

T = TypeVar("T")

CAUSES: Final = (
    "licence",
    "permission",
    "not_found",
    "not_registered",
    "empty",
    "error",
    "deadline",
)
LICENCE_MARKERS: Final = (
    "nonpremiumtenant",
    "aadpremiumlicenserequired",
    "premiumlicenserequired",
    "premium license",
    "entra id p2",
    "entra id governance",
    "doesn't have premium",
)


@dataclass(frozen=True)
class Failure:
    """Why a surface (or one per-item call) is unavailable; `detail` is already sanitized."""

    cause: str
    detail: str | None = None
    status: int | None = None


class SurfaceError(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.cause)
        self.failure = failure


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A surface result: `value` when available, else the failures that made it unavailable."""

    value: T | None
    failures: tuple[Failure, ...] = ()
    called: bool = True

    @property
    def available(self) -> bool:
        return self.called and not self.failures

    @staticmethod
    def skipped() -> Outcome[T]:
        """A surface that the contract says is not called (level, missing parent)."""
        return Outcome(value=None, called=False)


def http_failure_text(service: str, route: str, status: int, code: str | None) -> str:
    text = f"{service} request {route} failed: status={status}"
    return f"{text} code={code}" if code else text


def kind_failure_text(service: str, route: str, kind: str) -> str:
    return f"{service} request {route} failed: {kind}"


def is_licence_error(code: str, message: str, body: bytes) -> bool:
    haystack = f"{code} {message} {body[:4096].decode('utf-8', 'replace')}".lower()
    return any(marker in haystack for marker in LICENCE_MARKERS)


_SUB = "/subscriptions/[subscription_id]"
_VAULT = (
    f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.RecoveryServices/vaults/[vaults]"
)
# Each surface's first-request route (§6.6.1 form), for failures that have no request of their own.
SURFACE_ROUTES: Final = {
    "G2": "/subscribedSkus?$select",
    "G3": "/users?$select&$top",
    "G4": "/reports/authenticationMethods/userRegistrationDetails",
    "G5": "/users?$select&$top",
    "G6": "/identity/conditionalAccess/policies?$select",
    "G7": "/policies/identitySecurityDefaultsEnforcementPolicy",
    "G8": "/roleManagement/directory/roleAssignments?$select&$top",
    "G9": "/roleManagement/directory/roleEligibilitySchedules?$expand&$top",
    "G10": "/servicePrincipals?$filter&$select&$top",
    "G11": "/applications?$select&$top",
    "G12": "/security/secureScores?$top",
    "G13": "/auditLogs/directoryAudits?$filter&$orderby&$select&$top",
    "G14": "/auditLogs/signIns?$filter&$orderby&$select&$top",
    "A1": f"{_SUB}/providers/Microsoft.Security/secureScores/[securescores]?api-version",
    "A2": f"{_SUB}/providers/Microsoft.Security/assessments?api-version",
    "A3": f"{_SUB}/providers/Microsoft.Authorization/roleAssignments?$filter&api-version",
    "A4": f"{_SUB}/providers/Microsoft.Authorization/policyAssignments?api-version",
    "A5": f"{_SUB}/providers/Microsoft.PolicyInsights/policyStates/[policystates]/summarize?api-version",
    "A6": f"{_SUB}/providers/Microsoft.Storage/storageAccounts?api-version",
    "A7": f"{_SUB}/providers/Microsoft.KeyVault/vaults?api-version",
    "A8": f"{_SUB}/providers/Microsoft.Sql/servers?api-version",
    "A9": f"{_SUB}/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/databases?api-version",
    "A10": "[resource_id]/transparentDataEncryption/current?api-version",
    "A11": f"{_SUB}/providers/Microsoft.Compute/virtualMachines?api-version",
    "A12": f"{_SUB}/providers/Microsoft.Network/publicIPAddresses?api-version",
    "A13": f"{_SUB}/providers/Microsoft.RecoveryServices/vaults?api-version",
    "A14": f"{_VAULT}/backupProtectedItems?api-version",
    "A15": f"{_VAULT}/backupPolicies?api-version",
    "A16": f"{_VAULT}/backupJobs?$filter&api-version",
    "A17": f"{_SUB}/providers/Microsoft.Network/networkSecurityGroups?api-version",
    "A18": f"{_SUB}/providers/Microsoft.Insights/diagnosticSettings?api-version",
    "A19": "[resource_id]/providers/Microsoft.Insights/diagnosticSettings?api-version",
    "A20": f"{_SUB}/resources?api-version",
}


def unexpected_shape(key: str) -> Failure:
    """A response that decoded but could not be aggregated: a surface error, never a crash."""
    service = "graph" if key.startswith("G") else "arm"
    return Failure(
        "error", kind_failure_text(service, SURFACE_ROUTES[key], "invalid JSON response")
    )


async def outcome_of(key: str, call: Callable[[], Awaitable[T]]) -> Outcome[T]:
    """Run one surface: any failure but a fatal one becomes an unavailable outcome (§3.6)."""
    try:
        return Outcome(await call())
    except SurfaceError as error:
        return Outcome(None, (error.failure,))
    except FatalError:
        raise
    except Exception:
        return Outcome(None, (unexpected_shape(key),))


async def record(
    store: dict[str, Outcome[Any]], key: str, call: Callable[[], Awaitable[Any]]
) -> None:
    """Run surface `key` and store its outcome under that key."""
    store[key] = await outcome_of(key, call)
