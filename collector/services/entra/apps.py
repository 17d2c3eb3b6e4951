"""G10 service principals and G11 applications: enterprise-app and credential hygiene counts.

Names and credential key IDs or hints are not requested or kept; each credential is reduced to
its kind and its two dates. Object and app IDs are join keys for the cross-plane `identity`
block (which Azure owners authenticate with a password secret), never output.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp
from collector.core.metrics import parse_timestamp

SERVICE_PRINCIPALS_QUERY = GraphQuery(
    lambda client: client.service_principals,
    filter="servicePrincipalType eq 'Application'",
    select=(
        "id",
        "appId",
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
    select=("id", "appId", "passwordCredentials", "keyCredentials"),
    top=999,
)
EXPIRING_WITHIN: Final = timedelta(days=30)
EXPIRING_SOON: Final = timedelta(days=7)
EXPIRING_QUARTER: Final = timedelta(days=90)
LONG_LIVED: Final = timedelta(days=365)
LONG_LIVED_PASSWORD: Final = timedelta(days=180)
# `lifetime_days_buckets` of §V.7: each bound in days, inclusive; the last key is the rest.
LIFETIME_BUCKETS: Final = (
    ("le_30", 30),
    ("le_90", 90),
    ("le_180", 180),
    ("le_365", 365),
    ("le_730", 730),
)
LIFETIME_OVERFLOW: Final = "gt_730"
DAY: Final = timedelta(days=1)
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
    expiring_7d: int = 0
    expiring_90d: int = 0
    no_expiry: int = 0
    password_over_180d: int = 0
    certificate_over_365d: int = 0
    lifetime_buckets: dict[str, int] = field(default_factory=lambda: _empty_buckets())

    def add_object(self, obj: dict[str, Any]) -> bool:
        """Count an object's credentials; True when it has an active password credential."""
        has_password = False
        for kind, key in (("password", "passwordCredentials"), ("key", "keyCredentials")):
            for entry in jp.objects(obj, key):
                active = self._add(kind, entry)
                has_password = has_password or (active and kind == "password")
        return has_password

    def _add(self, kind: str, entry: dict[str, Any]) -> bool:
        start = parse_timestamp(entry.get("startDateTime"))
        end = parse_timestamp(entry.get("endDateTime"))
        if end is not None and end <= self.now:
            self.expired += 1
            return False
        self.active += 1
        self.active_password += kind == "password"
        if end is None:
            self.no_expiry += 1
        else:
            self.expiring += end <= self.now + EXPIRING_WITHIN
            self.expiring_7d += end <= self.now + EXPIRING_SOON
            self.expiring_90d += end <= self.now + EXPIRING_QUARTER
        if start is not None and end is not None:
            life = end - start
            self.over_365d += life > LONG_LIVED
            self.password_over_180d += kind == "password" and life > LONG_LIVED_PASSWORD
            self.certificate_over_365d += kind == "key" and life > LONG_LIVED
            self.lifetime_buckets[_bucket(life)] += 1
        return True


def _empty_buckets() -> dict[str, int]:
    return dict.fromkeys([*(name for name, _ in LIFETIME_BUCKETS), LIFETIME_OVERFLOW], 0)


def _bucket(life: timedelta) -> str:
    """The first bucket whose bound (in days) the lifetime does not exceed."""
    for name, days in LIFETIME_BUCKETS:
        if life <= days * DAY:
            return name
    return LIFETIME_OVERFLOW


@dataclass
class EnterpriseApps:
    """EA of contract §5.0 plus the credentials of every listed service principal."""

    credentials: CredentialCounts
    enabled_count: int = 0
    sso_count: int = 0
    assignment_required_count: int = 0
    app_id_by_principal: dict[str, str] = field(default_factory=dict)  # object ID → appId
    with_password: set[str] = field(default_factory=set)  # object IDs, active password

    def add_page(self, principals: Iterable[dict[str, Any]]) -> None:
        for principal in principals:
            has_password = self.credentials.add_object(principal)
            if principal_id := jp.lower(principal, "id"):
                self.app_id_by_principal[principal_id] = jp.lower(principal, "appId")
                if has_password:
                    self.with_password.add(principal_id)
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


@dataclass
class Applications:
    """APPS of contract §5.0 (G11): their credentials, and which hold an active password."""

    credentials: CredentialCounts
    with_password_count: int = 0
    app_ids_with_password: set[str] = field(default_factory=set)

    def add_page(self, applications: Iterable[dict[str, Any]]) -> None:
        for application in applications:
            if self.credentials.add_object(application):
                self.with_password_count += 1
                if app_id := jp.lower(application, "appId"):
                    self.app_ids_with_password.add(app_id)


async def fetch_application_credentials(reader: GraphReader, now: datetime) -> Applications:
    applications = Applications(credentials=CredentialCounts(now=now))
    async for page in reader.pages(APPLICATIONS_QUERY):
        applications.add_page(page)
    return applications


def combined(first: CredentialCounts, second: CredentialCounts) -> CredentialCounts:
    """CRED over G10 and G11 together (not de-duplicated between an app and its principal)."""
    counts = {
        name: getattr(first, name) + getattr(second, name)
        for name in vars(first)
        if name not in ("now", "lifetime_buckets")
    }
    buckets = {
        k: first.lifetime_buckets[k] + second.lifetime_buckets[k] for k in first.lifetime_buckets
    }
    return CredentialCounts(now=first.now, lifetime_buckets=buckets, **counts)
