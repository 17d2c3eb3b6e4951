"""The simulator's HTTPS servers: login, GitHub OIDC, Graph v1.0 and ARM, one port each.

Every request is appended to `Simulator.log` (service, method, path, query, whether it carried
a valid bearer token) so tests can assert exactly what the collector sent.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
import ssl
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

from tests.simulator import resource_graph
from tests.simulator.ca import write_ca_and_server_cert
from tests.simulator.scenario import (
    Bucket,
    Fault,
    Scenario,
    arm_error,
    graph_error,
    permission_denied,
)

SERVICES = ("login", "github", "graph", "arm")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{_b64(uuid.uuid4().bytes * 4)}"


def jwt_payload(token: str) -> dict[str, Any]:
    try:
        segment = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


@dataclass
class LoggedRequest:
    service: str
    method: str
    path: str
    query: str
    authorized: bool
    headers: dict[str, str]
    body: bytes
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class _TokenBucket:
    """Refills continuously; `take` spends one token or says how long until one is due."""

    def __init__(self, limit: Bucket) -> None:
        self.limit = limit
        self.tokens = limit.capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        now = time.monotonic()
        self.tokens = min(
            self.limit.capacity, self.tokens + (now - self.stamp) * self.limit.per_second
        )
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.limit.per_second


def throttling_scope(service: str, path: str) -> str | None:
    """The bucket a request is metered against: per subscription on ARM, per API family on Graph."""
    if service == "arm":
        segments = path.strip("/").split("/")
        if len(segments) >= 2 and segments[0].lower() == "subscriptions":
            return f"arm:{segments[1].lower()}"
        return None
    if service == "graph":
        reporting = path.startswith(("/v1.0/reports/", "/v1.0/auditLogs/"))
        return "graph:reporting" if reporting else "graph:directory"
    return None


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (timeouts, cancellation tests) are expected; say nothing."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


class Simulator:
    """Start with `with Simulator(scenario) as sim:`; read `sim.origin(service)` and `sim.log`."""

    def __init__(self, scenario: Scenario, workdir: Path | None = None) -> None:
        self.scenario = scenario
        self._tmp = tempfile.TemporaryDirectory() if workdir is None else None
        self.workdir = Path(self._tmp.name) if self._tmp else workdir  # type: ignore[union-attr]
        self.ca_path, cert, key = write_ca_and_server_cert(self.workdir)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(cert, key)
        self.log: list[LoggedRequest] = []
        self.issued_tokens: dict[str, dict[str, Any]] = {}
        self.github_tokens: list[str] = []
        self.certificate_headers: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._chaos_counts: dict[str, int] = {}
        self._buckets: dict[str, _TokenBucket] = {}
        self.statuses: Counter[tuple[str, int]] = Counter()  # (service, status) served
        self.bytes_sent: Counter[str] = Counter()  # response body bytes per service
        self._arm_index: dict[int, tuple[int, dict[str, Any]]] = {}
        self._graph_tables: tuple[tuple[int, int], dict[str, list[dict[str, Any]]]] | None = None
        self.aliases: dict[str, set[str]] = {}  # service → extra origins (a national cloud's hosts)
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Simulator:
        for service in SERVICES:
            handler = _handler_for(self, service)
            server = _QuietServer(("127.0.0.1", 0), handler)
            server.daemon_threads = True
            server.socket = self._context.wrap_socket(server.socket, server_side=True)
            self._servers[service] = server
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *args: object) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def origin(self, service: str) -> str:
        return f"https://127.0.0.1:{self._servers[service].server_address[1]}"

    def endpoints(self) -> dict[str, str]:
        return {
            "authority": self.origin("login"),
            "graph": self.origin("graph"),
            "resource_manager": self.origin("arm"),
        }

    def audiences(self, service: str) -> set[str]:
        """Token audiences this service accepts: its own origin plus any cloud alias routed here."""
        return {self.origin(service), *self.aliases.get(service, ())}

    def github_request_url(self) -> str:
        return (
            self.origin("github")
            + "/_apis/distributedtask/hubs/build/plans/p/jobs/j/idtoken?api-version=2.0"
        )

    def requests(self, service: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [entry for entry in self.log if service is None or entry.service == service]

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)

    def chaos_response(self, service: str, url: str) -> tuple[int, Any, dict[str, str]] | None:
        """Throttling/outage injection for Graph and ARM data requests (never the same URL forever)."""
        chaos = self.scenario.chaos
        if chaos is None or service not in ("graph", "arm"):
            return None
        with self._lock:
            seen = self._chaos_counts.get(url, 0)
            roll = random.Random(f"{chaos.seed}:{url}:{seen}").random()
            if seen >= chaos.per_url or roll >= chaos.rate:
                return None
            self._chaos_counts[url] = seen + 1
        if roll < chaos.rate / 2:
            return 429, graph_error("TooManyRequests", "Too many requests"), {"Retry-After": "1"}
        return 503, graph_error("ServiceUnavailable", "Service unavailable"), {}

    def throttle_response(self, service: str, path: str) -> tuple[int, Any, dict[str, str]] | None:
        """A 429 when the request's bucket is empty (scenario.throttling); None to serve it."""
        model = self.scenario.throttling
        scope = throttling_scope(service, path)
        if model is None or scope is None:
            return None
        limit = {
            "arm": model.arm_subscription_reads,
            "graph:reporting": model.graph_reporting,
            "graph:directory": model.graph_directory,
        }[scope.split(":")[0] if service == "arm" else scope]
        with self._lock:
            bucket = self._buckets.setdefault(scope, _TokenBucket(limit))
            wait = bucket.take()
        if wait == 0.0:
            return None
        headers = {"Retry-After": str(max(1, math.ceil(wait)))}
        if service == "arm":
            message = "Number of 'read' requests for subscription actor exceeded."
            return 429, arm_error("SubscriptionRequestsThrottled", message), headers
        return 429, graph_error("TooManyRequests", "Too many requests."), headers

    def arm_lookup(self, table: dict[str, Any], key: str) -> Any:
        """Case-insensitive route lookup, indexed once per table size (estates can be large)."""
        with self._lock:
            size, index = self._arm_index.get(id(table), (-1, {}))
            if size != len(table):
                index = {route.lower(): value for route, value in table.items()}
                self._arm_index[id(table)] = (len(table), index)
        return index.get(key)

    def graph_tables(self) -> dict[str, list[dict[str, Any]]]:
        """Resource Graph's tables, rebuilt only when the estate's listings change size."""
        collections = self.scenario.arm_collections
        with self._lock:
            shape = (len(collections), sum(len(items) for items in collections.values()))
            if self._graph_tables is None or self._graph_tables[0] != shape:
                self._graph_tables = (shape, resource_graph.tables(collections))
            return self._graph_tables[1]

    def take_delay(self, path: str) -> float:
        with self._lock:
            for prefix in list(self.scenario.slow_once):
                if path.startswith(prefix):
                    return self.scenario.slow_once.pop(prefix)
        return 0.0

    def take_fault(self, service: str, method: str, path: str, query: str = "") -> Fault | None:
        with self._lock:
            for fault in self.scenario.faults:
                if fault.query_contains is not None and fault.query_contains not in query:
                    continue
                if fault.matches(service, method, path):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    # ----- token issuing ---------------------------------------------------------------------

    def issue_access_token(self, audience: str) -> tuple[str, int]:
        lifetime = self.scenario.token_lifetime_seconds
        claims: dict[str, Any] = {
            "aud": audience,
            "tid": self.scenario.tenant_id,
            "appid": self.scenario.client_id,
            "oid": self.scenario.collector_object_id,
            "exp": int(time.time()) + lifetime,
            "jti": str(uuid.uuid4()),
        }
        if audience in self.audiences("graph"):
            claims["roles"] = list(self.scenario.graph_roles)
        token = f"opaque.{uuid.uuid4().hex}" if self.scenario.opaque_tokens else make_jwt(claims)
        with self._lock:
            self.issued_tokens[token] = claims
        return token, lifetime

    def bearer_roles(self, header: str | None) -> list[str]:
        """The Graph application permissions of the bearer token (its `roles` claim)."""
        token = (header or "")[len("Bearer ") :]
        with self._lock:
            claims = self.issued_tokens.get(token) or {}
        return list(claims.get("roles", []))

    def bearer_audience(self, header: str | None) -> str | None:
        if not header or not header.startswith("Bearer "):
            return None
        with self._lock:
            claims = self.issued_tokens.get(header[len("Bearer ") :])
        if claims is None or claims["exp"] < time.time():
            return None
        return str(claims["aud"])


def _handler_for(sim: Simulator, service: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits for the
        # client's delayed ACK (40 ms on Linux) on every response, which no Microsoft
        # front end does.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            return

        def _send(
            self,
            status: int,
            body: Any,
            headers: dict[str, str] | None = None,
            raw: bytes | None = None,
        ) -> None:
            payload = raw if raw is not None else json.dumps(body).encode()
            # The scenario's latency is the time from request to response, as a client sees a
            # remote service; the simulator's own work happens inside it, not on top of it.
            parts = urlsplit(self.path)
            latency = sim.scenario.latency(service, parts.path, parts.query)
            time.sleep(max(0.0, self._arrived + latency - time.monotonic()))
            with sim._lock:
                sim.statuses[(service, status)] += 1
                sim.bytes_sent[service] += len(payload)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _handle(self, method: str) -> None:
            self._arrived = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            audience = sim.bearer_audience(self.headers.get("Authorization"))
            authorized = audience in sim.audiences(service)
            sim.record(
                LoggedRequest(
                    service,
                    method,
                    parts.path,
                    parts.query,
                    authorized,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
            )
            time.sleep(sim.take_delay(parts.path))
            fault = sim.take_fault(service, method, parts.path, parts.query)
            if fault is not None:
                time.sleep(fault.delay_seconds)
                body = fault.body
                if fault.echo_authorization:
                    echoed = (
                        f"request with Authorization: {self.headers.get('Authorization')} failed"
                    )
                    body = {"error": {"code": "InternalServerError", "message": echoed}}
                if fault.code_echoes_token:
                    signature = (self.headers.get("Authorization") or "").rsplit(".", 1)[-1]
                    body = {"error": {"code": signature, "message": "rejected"}}
                self._send(fault.status, body, fault.headers, fault.raw_body)
                return
            chaos = sim.chaos_response(service, self.path) or sim.throttle_response(
                service, parts.path
            )
            if chaos is not None:
                self._send(*chaos)
                return
            handler = {"login": _login, "github": _github, "graph": _graph, "arm": _arm}[service]
            status, document, headers = handler(
                sim, method, parts.path, parts.query, body, self.headers, authorized
            )
            self._send(status, document, headers)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PUT(self) -> None:
            self._handle("PUT")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    return Handler


Response = tuple[int, Any, dict[str, str]]


def _aad_error(status: int, error: str, code: int, description: str) -> Response:
    return (
        status,
        {
            "error": error,
            "error_description": f"AADSTS{code}: {description} Trace ID: {uuid.uuid4()}",
            "error_codes": [code],
            "timestamp": "2026-01-01 00:00:00Z",
        },
        {},
    )


def _login(
    sim: Simulator, method: str, path: str, query: str, body: bytes, headers: Any, authorized: bool
) -> Response:
    scenario = sim.scenario
    if method == "GET" and path == "/msi/token":
        return _managed_identity(sim, query, headers)
    if method != "POST" or path != f"/{scenario.tenant_id}/oauth2/v2.0/token":
        return _aad_error(404, "invalid_request", 90002, "Tenant not found.")
    form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
    if form.get("client_id") != scenario.client_id:
        return _aad_error(
            400, "unauthorized_client", 700016, "Application not found in the directory."
        )
    if "client_secret" in form:
        if form["client_secret"] != scenario.client_secret:
            quoted = f" Secret: {form['client_secret']}" if scenario.echo_client_secret else ""
            return _aad_error(
                401, "invalid_client", 7000215, f"Invalid client secret provided.{quoted}"
            )
    elif "client_assertion" in form:
        if not _assertion_trusted(sim, form["client_assertion"], path):
            return _aad_error(
                400,
                "invalid_client",
                700213,
                "No matching federated identity record found for presented assertion.",
            )
    else:
        return _aad_error(
            400, "invalid_request", 900144, "The request body must contain 'client_secret'."
        )
    scope = form.get("scope", "")
    audience = scope.removesuffix("/.default")
    if audience not in sim.audiences("graph") | sim.audiences("arm"):
        return _aad_error(
            400, "invalid_scope", 1002012, "The provided value for scope is not valid."
        )
    token, lifetime = sim.issue_access_token(audience)
    answer: dict[str, Any] = {"token_type": "Bearer", "expires_in": lifetime, "access_token": token}
    if scenario.token_expires_in == "absent":
        del answer["expires_in"]
    elif scenario.token_expires_in is not None:
        answer["expires_in"] = scenario.token_expires_in
    return 200, answer, {}


def _assertion_trusted(sim: Simulator, assertion: str, path: str) -> bool:
    """A GitHub token with the trusted subject, a known federated token, or a certificate JWT."""
    scenario = sim.scenario
    claims = jwt_payload(assertion)
    if assertion in sim.github_tokens:
        return claims.get("sub") == scenario.trusted_subject
    if assertion in scenario.federated_tokens:
        return True
    if scenario.trusted_certificate is None:
        return False
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        head, payload, signature = assertion.split(".")
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        certificate = x509.load_pem_x509_certificate(scenario.trusted_certificate)
        certificate.public_key().verify(  # type: ignore[union-attr, call-arg]
            base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
            f"{head}.{payload}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except Exception:
        return False
    sim.certificate_headers.append(header)
    now = time.time()
    return (
        claims.get("aud") == sim.origin("login") + path
        and claims.get("iss") == scenario.client_id
        and claims.get("nbf", now + 1) <= now + 5
        and claims.get("exp", 0) > now
        and "x5t#S256" in header
    )


def _managed_identity(sim: Simulator, query: str, headers: Any) -> Response:
    """The App Service managed-identity endpoint (IDENTITY_ENDPOINT / X-IDENTITY-HEADER)."""
    if headers.get("X-IDENTITY-HEADER") != sim.scenario.identity_header:
        return 400, {"error": "invalid_request", "error_description": "bad identity header"}, {}
    resource = dict(parse_qsl(query)).get("resource", "").rstrip("/")
    if resource not in (sim.origin("graph"), sim.origin("arm")):
        return 400, {"error": "invalid_resource", "error_description": "unknown resource"}, {}
    token, lifetime = sim.issue_access_token(resource)
    expires_on = str(int(time.time()) + lifetime)
    return (
        200,
        {
            "access_token": token,
            "expires_on": expires_on,
            "resource": resource,
            "token_type": "Bearer",
        },
        {},
    )


def _github(
    sim: Simulator, method: str, path: str, query: str, body: bytes, headers: Any, authorized: bool
) -> Response:
    if headers.get("Authorization") != f"Bearer {sim.scenario.github_request_token}":
        return 401, {"message": "Bad credentials"}, {}
    params = dict(parse_qsl(query))
    token = make_jwt(
        {
            "iss": "https://token.actions.githubusercontent.com",
            "sub": sim.scenario.github_subject,
            "aud": params.get("audience", ""),
            "exp": int(time.time()) + 300,
        }
    )
    sim.github_tokens.append(token)
    return 200, {"count": 2000, "value": token}, {}


def _select(item: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return item
    keep = {name.strip() for name in select.split(",")}
    # Annotations such as `@odata.type` come back whatever `$select` names, as on Graph.
    return {k: v for k, v in item.items() if k in keep or k.startswith("@odata.")}


def _origin(sim: Simulator, service: str, headers: Any) -> str:
    """Next links point at the host the client asked for, as Microsoft's services do."""
    host = headers.get("Host")
    return f"https://{host}" if host else sim.origin(service)


def _page(
    items: list[dict[str, Any]],
    params: dict[str, str],
    cap: int,
    base_url: str,
    next_key: str,
    skip_name: str,
) -> dict[str, Any]:
    top = min(int(params.get("$top", cap)), cap)
    start = int(params.get(skip_name, "0"))
    page = items[start : start + top]
    document: dict[str, Any] = {"value": page}
    if start + top < len(items):
        rest = {k: v for k, v in params.items() if k != skip_name}
        rest[skip_name] = str(start + top)
        document[next_key] = base_url + "?" + urlencode(rest, safe="$,'()")
    return document


_EQ_FILTER = re.compile(r"(\w+) eq '([^']*)'")
_TIME = r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)"
# Graph's default (non-advanced) range filter on `createdDateTime`: `ge` and `le`, inclusive.
_CREATED_RANGE = re.compile(rf"createdDateTime ge {_TIME} and createdDateTime le {_TIME}")
_GE_FILTER = re.compile(r"(\w+) ge (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")


class _SelectedRows:
    """A `$select` view of a collection, projected page by page (large collections stay lazy)."""

    def __init__(self, rows: Any, select: str | None) -> None:
        self._rows = rows
        self._select = select

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_select(item, self._select) for item in self._rows[index]]


def _filtered(items: list[dict[str, Any]], expression: str | None) -> list[dict[str, Any]] | None:
    """The `$filter` forms the collector uses; None for anything else (Graph answers 400)."""
    if expression is None:
        return items
    if match := _CREATED_RANGE.fullmatch(expression):
        low, high = match.groups()
        if hasattr(items, "created_between"):  # a generated listing answers it arithmetically
            selected: list[dict[str, Any]] = items.created_between(low, high)
            return selected
        return [item for item in items if low <= str(item.get("createdDateTime") or "") <= high]
    if getattr(items, "prefiltered", False):
        return items
    if match := _EQ_FILTER.fullmatch(expression):
        name, value = match.groups()
        return [item for item in items if item.get(name) == value]
    if match := _GE_FILTER.fullmatch(expression):
        name, value = match.groups()
        return [item for item in items if str(item.get(name, "")) >= value]
    return None


def _graph(
    sim: Simulator, method: str, path: str, query: str, body: bytes, headers: Any, authorized: bool
) -> Response:
    if not authorized:
        return 401, graph_error("InvalidAuthenticationToken", "Access token is empty."), {}
    if method != "GET" or not path.startswith("/v1.0/"):
        return 405, graph_error("Request_BadRequest", "Unsupported method or version."), {}
    route = unquote(path[len("/v1.0") :])
    params = {unquote(k): v for k, v in parse_qsl(query)}
    scenario = sim.scenario
    if route == "/organization":
        return (
            200,
            {"value": [_select(o, params.get("$select")) for o in scenario.organization]},
            {},
        )
    if route in scenario.graph_objects:
        return 200, scenario.graph_objects[route], {}
    if route == "/groups" or route.startswith("/groups/"):
        if not set(sim.bearer_roles(headers.get("Authorization"))) & GROUP_READ_ROLES:
            return 403, permission_denied(), {}
        return _groups(sim, route, params, headers, path)
    hides_evolvable = "include-unknown-enum-members" not in (headers.get("Prefer") or "")
    if route == "/identity/conditionalAccess/policies" and hides_evolvable:
        policies = [_evolvable_hidden(p) for p in scenario.graph_collections.get(route, [])]
        return 200, {"value": [_select(p, params.get("$select")) for p in policies]}, {}
    if route in scenario.graph_collections:
        matching = _filtered(scenario.graph_collections[route], params.get("$filter"))
        if matching is None:
            return 400, graph_error("BadRequest", "Invalid filter clause"), {}
        if params.get("$count") == "true" and headers.get("ConsistencyLevel") != "eventual":
            # as Graph: $count on directory objects is an advanced query
            return 400, graph_error("Request_BadRequest", "$count requires ConsistencyLevel"), {}
        counted = len(matching)
        if scenario.counted_not_listed:
            matching = [m for m in matching if m.get("id") not in scenario.counted_not_listed]
        items = _SelectedRows(matching, params.get("$select"))
        cap = scenario.graph_page_caps.get(route, 999)
        if route == "/users" and "signInActivity" in params.get("$select", ""):
            cap = min(cap, scenario.sign_in_activity_page_cap)
        return (
            200,
            _counted(
                _page(
                    items,
                    params,
                    cap,
                    _origin(sim, "graph", headers) + path,
                    "@odata.nextLink",
                    "$skiptoken",
                ),
                counted if params.get("$count") == "true" else None,
            ),
            {},
        )
    return 404, graph_error("Request_ResourceNotFound", "Resource not found."), {}


def _counted(document: dict[str, Any], count: int | None) -> dict[str, Any]:
    """`@odata.count` first, as Graph writes it, when `$count=true` asked for it."""
    return document if count is None else {"@odata.count": count, **document}


# Any of these application permissions may read group membership (least privileged first).
GROUP_READ_ROLES = frozenset(
    {"GroupMember.Read.All", "GroupMember.ReadBasic.All", "Group.Read.All", "Directory.Read.All"}
)
# Evolvable enum members Graph hides as `unknownFutureValue` unless the client opts in.
EVOLVABLE_CONTROLS = frozenset({"riskRemediation"})


def _evolvable_hidden(policy: dict[str, Any]) -> dict[str, Any]:
    grant = policy.get("grantControls")
    if not isinstance(grant, dict) or not isinstance(grant.get("builtInControls"), list):
        return policy
    controls = [
        "unknownFutureValue" if control in EVOLVABLE_CONTROLS else control
        for control in grant["builtInControls"]
    ]
    return {**policy, "grantControls": {**grant, "builtInControls": controls}}


def _groups(
    sim: Simulator, route: str, params: dict[str, str], headers: Any, path: str
) -> Response:
    """`/groups` and `/groups/{id}/transitiveMembers` from the scenario's memberships."""
    memberships = sim.scenario.group_members
    segments = route.strip("/").split("/")
    if len(segments) == 1:
        rows: list[dict[str, Any]] = [{"id": group} for group in memberships]
    elif len(segments) == 3 and segments[2] == "transitiveMembers":
        if segments[1].lower() not in memberships:
            return 404, graph_error("Request_ResourceNotFound", "Resource not found."), {}
        rows = memberships[segments[1].lower()]
    else:
        return 404, graph_error("Request_ResourceNotFound", "Resource not found."), {}
    items = _SelectedRows(rows, params.get("$select"))
    page = _page(
        items,
        params,
        sim.scenario.graph_page_caps.get("/groups", 999),
        _origin(sim, "graph", headers) + path,
        "@odata.nextLink",
        "$skiptoken",
    )
    return 200, page, {}


def _arm(
    sim: Simulator, method: str, path: str, query: str, body: bytes, headers: Any, authorized: bool
) -> Response:
    if not authorized:
        return 401, arm_error("AuthenticationFailed", "Authentication failed."), {}
    params = dict(parse_qsl(query))
    if "api-version" not in params:
        return (
            400,
            arm_error("MissingApiVersionParameter", "The api-version query parameter is required."),
            {},
        )
    segments = path.strip("/").split("/")
    scenario = sim.scenario
    if len(segments) == 2 and segments[0].lower() == "subscriptions" and method == "GET":
        found = scenario.subscriptions.get(segments[1].lower())
        if found is None:
            return (
                404,
                arm_error(
                    "SubscriptionNotFound", f"The subscription '{segments[1]}' could not be found."
                ),
                {},
            )
        return 200, found, {}
    key = path.lower()
    if key == "/providers/microsoft.resourcegraph/resources" and method == "POST":
        status, graph_document = resource_graph.answer(body, sim.graph_tables())
        return status, graph_document, {}
    document = sim.arm_lookup(scenario.arm_objects, key)
    if document is not None and method in ("GET", "POST"):
        return 200, document, {}
    if method != "GET":
        return 404, arm_error("ResourceNotFound", "The resource was not found."), {}
    items = sim.arm_lookup(scenario.arm_collections, key)
    if items is not None:
        link_base = _origin(sim, "arm", headers) + path
        page = _page(items, params, scenario.arm_page_size, link_base, "nextLink", "$skiptoken")
        return 200, page, {}
    if key.endswith("/providers/microsoft.insights/diagnosticsettings"):
        return 200, {"value": []}, {}  # a resource without diagnostic settings
    return 404, arm_error("ResourceNotFound", "The resource was not found."), {}
