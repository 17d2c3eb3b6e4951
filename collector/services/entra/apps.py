"""G10 service principals and G11 applications: enterprise-app and credential hygiene counts.

Names, app IDs and credential key IDs or hints are not requested or kept; each credential is
reduced to its kind and its two dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core.metrics import parse_timestamp

SERVICE_PRINCIPALS_QUERY = GraphQuery(
    lambda client: client.service_principals,
    filter="servicePrincipalType eq 'Application'",
    select=(
        "id",
        "accountEnabled",
        "appRoleAssignmentRequired",
        "preferredSingleSignOnMode",
        "servicePrincipalType",
        "passwordCredentials",
        "keyCredentials",
    ),
    top=999,
)
APPLICATIONS_QUERY = GraphQuery(
    lambda client: client.applications,
    select=("id", "passwordCredentials", "keyCredentials"),
    top=999,
)
EXPIRING_WITHIN: Final = timedelta(days=30)
LONG_LIVED: Final = timedelta(days=365)
SSO_MODES: Final = frozenset({"saml", "oidc"})


@dataclass
class CredentialCounts:
    """Counts over CRED of contract §5.0, accumulated object by object."""

    now: datetime
    expiring: int = 0
    expired: int = 0
    over_365d: int = 0
    active: int = 0
    active_password: int = 0

    def add_object(self, obj: dict[str, Any]) -> None:
        for kind, key in (("password", "passwordCredentials"), ("key", "keyCredentials")):
            entries = obj.get(key)
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, dict):
                    self._add(kind, entry)

    def _add(self, kind: str, entry: dict[str, Any]) -> None:
        start = parse_timestamp(entry.get("startDateTime"))
        end = parse_timestamp(entry.get("endDateTime"))
        if end is not None and end <= self.now:
            self.expired += 1
            return
        self.active += 1
        self.active_password += kind == "password"
        if end is not None and end <= self.now + EXPIRING_WITHIN:
            self.expiring += 1
        if start is not None and end is not None and end - start > LONG_LIVED:
            self.over_365d += 1


@dataclass
class EnterpriseApps:
    """EA of contract §5.0 plus the credentials of every listed service principal."""

    credentials: CredentialCounts
    enabled_count: int = 0
    sso_count: int = 0
    assignment_required_count: int = 0

    def add_page(self, principals: Iterable[dict[str, Any]]) -> None:
        for principal in principals:
            self.credentials.add_object(principal)
            kind = principal.get("servicePrincipalType")
            is_application = not isinstance(kind, str) or not kind or kind.lower() == "application"
            if not is_application or principal.get("accountEnabled") is False:
                continue
            self.enabled_count += 1
            mode = principal.get("preferredSingleSignOnMode")
            self.sso_count += isinstance(mode, str) and mode.lower() in SSO_MODES
            self.assignment_required_count += principal.get("appRoleAssignmentRequired") is True


async def fetch_service_principals(reader: GraphReader, now: datetime) -> EnterpriseApps:
    apps = EnterpriseApps(credentials=CredentialCounts(now=now))
    async for page in reader.pages(SERVICE_PRINCIPALS_QUERY):
        apps.add_page(page)
    return apps


async def fetch_application_credentials(reader: GraphReader, now: datetime) -> CredentialCounts:
    counts = CredentialCounts(now=now)
    async for page in reader.pages(APPLICATIONS_QUERY):
        for application in page:
            counts.add_object(application)
    return counts


def combined(first: CredentialCounts, second: CredentialCounts) -> CredentialCounts:
    return CredentialCounts(
        now=first.now,
        expiring=first.expiring + second.expiring,
        expired=first.expired + second.expired,
        over_365d=first.over_365d + second.over_365d,
        active=first.active + second.active,
        active_password=first.active_password + second.active_password,
    )
