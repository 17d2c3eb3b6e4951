"""G4 authentication-methods registration report: per-user MFA registration facts.

The report cannot narrow its fields, so UPNs and display names arrive; each row is reduced at
the page boundary to four booleans keyed by the opaque user ID, and the row is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.metrics import object_id

QUERY = GraphQuery(
    lambda client: client.reports.authentication_methods.user_registration_details,
    reporting=True,
    counted_as="registration records",
)

PHISHING_RESISTANT: Final = frozenset(
    m.lower()
    for m in (
        "fido2SecurityKey",
        "passKeyDeviceBound",
        "passKeyDeviceBoundAuthenticator",
        "passKeyDeviceBoundWindowsHello",
        "passKeySynced",
        "windowsHelloForBusiness",
        "macOsSecureEnclaveKey",
        "x509CertificateMultiFactor",
    )
)
WEAK: Final = frozenset(
    m.lower()
    for m in ("mobilePhone", "alternateMobilePhone", "officePhone", "email", "sms", "voice")
)
NEUTRAL: Final = frozenset({"securityquestion"})


@dataclass(frozen=True)
class Registration:
    """REG(x) reduced to what the metrics use."""

    mfa_registered: bool = False
    sspr_registered: bool = False
    phishing_resistant: bool = False
    weak_only: bool = False


NOT_REGISTERED: Final = Registration()


@cache
def _registration(mfa: bool, sspr: bool, phishing_resistant: bool, weak_only: bool) -> Registration:
    """One shared instance per combination: 200,000 users need 16 objects, not 200,000."""
    return Registration(mfa, sspr, phishing_resistant, weak_only)


def reduce_row(row: dict[str, Any]) -> Registration:
    raw = row.get("methodsRegistered")
    methods = [m.lower() for m in raw if isinstance(m, str)] if isinstance(raw, list) else []
    mfa = row.get("isMfaRegistered") is True
    counted = [m for m in methods if m not in NEUTRAL]
    return _registration(
        mfa,
        row.get("isSsprRegistered") is True,
        any(m in PHISHING_RESISTANT for m in methods),
        mfa and bool(counted) and all(m in WEAK for m in counted),
    )


@dataclass
class RegistrationReport:
    by_id: dict[str, Registration] = field(default_factory=dict)

    def add_page(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            raw_id = row.get("id")
            if isinstance(raw_id, str) and raw_id:
                self.by_id.setdefault(object_id(raw_id), reduce_row(row))

    def of(self, user_id: str) -> Registration:
        return self.by_id.get(user_id, NOT_REGISTERED)

    def count(self, user_ids: Iterable[str], attribute: str) -> int:
        return sum(1 for user_id in user_ids if getattr(self.of(user_id), attribute))


async def fetch(reader: GraphReader) -> RegistrationReport:
    report = RegistrationReport()
    async for page in reader.pages(QUERY):
        report.add_page(page)
    return report
