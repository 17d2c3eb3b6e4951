"""Scenario fixtures: the tenant, its estate and the faults the simulator injects.

A scenario is plain data. Graph collections and ARM collections are lists of JSON objects keyed
by their service-relative path; single objects are dicts. Faults match by service, method and
path prefix and answer in Microsoft's own error shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

TENANT_ID = "11111111-1111-1111-1111-111111111111"
CLIENT_ID = "22222222-2222-2222-2222-222222222222"
# The app's service principal: the `oid` of every app-only token it is issued.
COLLECTOR_OBJECT_ID = "77777777-7777-4777-8777-777777777777"
CLIENT_SECRET = "sim-client-secret-value-7f3a"
GITHUB_REQUEST_TOKEN = "sim-github-request-token-91bd"
GRAPH_ROLES = [
    "Organization.Read.All",
    "User.Read.All",
    "AuditLog.Read.All",
    "Policy.Read.All",
    "RoleManagement.Read.Directory",
    "RoleEligibilitySchedule.Read.Directory",
    "Application.Read.All",
    "SecurityEvents.Read.All",
    "GroupMember.Read.All",
]


@dataclass
class Fault:
    """Answer matching requests with `status` and `body` (at most `times` times; None = always)."""

    service: str  # login | graph | arm | github
    path_prefix: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None
    method: str | None = None
    raw_body: bytes | None = None
    delay_seconds: float = 0.0
    echo_authorization: bool = False  # put the request's Authorization header in the error text
    code_echoes_token: bool = False  # error.code = the signature segment of the request's token
    query_contains: str | None = None

    def matches(self, service: str, method: str, path: str) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method != method:
            return False
        return self.service == service and path.startswith(self.path_prefix)


@dataclass
class Chaos:
    """Answer a deterministic `rate` of data requests with 429 or 503, each URL at most `per_url` times."""

    rate: float = 0.2
    per_url: int = 2
    seed: int = 7


@dataclass(frozen=True)
class Bucket:
    """A token bucket: `capacity` requests at once, refilled at `per_second`."""

    capacity: float
    per_second: float


@dataclass(frozen=True)
class ServiceModel:
    """Response times by route, as Microsoft's front ends answer (issue 19's realistic
    profile): every Graph request, plus the slow pages, and every ARM and login request."""

    graph: float = 0.150
    sign_in_activity_page: float = 0.600  # extra for a /users page with signInActivity
    reporting_page: float = 0.400  # extra for /reports/ and /auditLogs/ pages
    arm: float = 0.100
    login: float = 0.100

    def seconds(self, service: str, path: str, query: str) -> float:
        if service == "graph":
            extra = 0.0
            if path.startswith("/v1.0/users") and "signInActivity" in unquote(query):
                extra = self.sign_in_activity_page
            elif path.startswith(("/v1.0/reports/", "/v1.0/auditLogs/")):
                extra = self.reporting_page
            return self.graph + extra
        return self.arm if service == "arm" else self.login


@dataclass
class Throttling:
    """Microsoft-like request limits, one token bucket per throttling scope.

    ARM meters reads per subscription (a bucket of 250 refilled at 25 per second, and it
    reports what is left in `x-ms-ratelimit-remaining-subscription-reads`); Graph meters
    directory reads and the reporting APIs (G4, G13, G14) per tenant. A request that finds
    its bucket empty is answered 429 with a whole-second `Retry-After`, as both services do.
    """

    arm_subscription_reads: Bucket = Bucket(250, 25)
    graph_directory: Bucket = Bucket(2000, 200)
    graph_reporting: Bucket = Bucket(5, 5)


def graph_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "innerError": {"request-id": "sim"}}}


def permission_denied() -> dict[str, Any]:
    return graph_error(
        "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
    )


def licence_required() -> dict[str, Any]:
    return graph_error(
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )


def arm_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


@dataclass
class Scenario:
    """Everything the simulated Microsoft cloud knows and does."""

    tenant_id: str = TENANT_ID
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    collector_object_id: str = COLLECTOR_OBJECT_ID
    echo_client_secret: bool = False  # a rejected client secret is quoted back in the error
    opaque_tokens: bool = False  # access tokens that are not JWTs (some clouds and proxies)
    # The token response's `expires_in`: the lifetime (None), left out ("absent"), or this text.
    token_expires_in: str | None = None
    github_request_token: str = GITHUB_REQUEST_TOKEN
    graph_roles: list[str] = field(default_factory=lambda: list(GRAPH_ROLES))
    token_lifetime_seconds: int = 3600
    organization: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {
                "id": TENANT_ID,
                "displayName": "Contoso",
                "verifiedDomains": [
                    {"name": "contoso.onmicrosoft.com", "isDefault": False, "isInitial": True},
                    {"name": "contoso.example", "isDefault": True, "isInitial": False},
                ],
            }
        ]
    )
    graph_collections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    graph_objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    graph_page_caps: dict[str, int] = field(default_factory=dict)
    # Group ID (lower-case) → its transitive members as Graph lists them (`@odata.type`, `id`).
    group_members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    arm_collections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arm_objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # GET or read-only POST
    arm_page_size: int = 100
    faults: list[Fault] = field(default_factory=list)
    latency_seconds: float = 0.0
    service_model: ServiceModel | None = None  # per-route latency instead of latency_seconds
    slow_once: dict[str, float] = field(default_factory=dict)  # path prefix → one-time delay
    chaos: Chaos | None = None
    throttling: Throttling | None = None
    # Graph serves /users with signInActivity in pages of at most 120, whatever $top asks.
    sign_in_activity_page_cap: int = 120
    # Users `$count` counts but listings do not return yet: an eventually consistent count.
    counted_not_listed: set[str] = field(default_factory=set)
    github_subject: str = "repo:example/evidence:ref:refs/heads/main"  # what GitHub issues
    trusted_subject: str = "repo:example/evidence:ref:refs/heads/main"  # what the app trusts
    federated_tokens: list[str] = field(default_factory=list)  # workload identity tokens trusted
    trusted_certificate: bytes | None = None  # PEM of the app's certificate credential
    identity_header: str = "sim-identity-header-55aa"  # managed identity (App Service) secret

    def latency(self, service: str, path: str, query: str) -> float:
        """How long a request to `path` takes to answer, as the client sees it."""
        if self.service_model is None:
            return self.latency_seconds
        return self.service_model.seconds(service, path, query)

    def add_subscription(self, subscription_id: str, state: str = "Enabled") -> None:
        self.subscriptions[subscription_id.lower()] = {
            "id": f"/subscriptions/{subscription_id}",
            "subscriptionId": subscription_id,
            "displayName": "sim subscription",
            "state": state,
        }
