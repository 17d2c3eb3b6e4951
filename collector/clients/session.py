"""One session: the egress rules, guarded transport, credential and SDK clients of a run.

The collector's run and a script using the service modules both open a `Session`, so a script
sees exactly what the collector would: TLS trust from SSL_CERT_FILE / SSL_CERT_DIR, proxies,
the allowlist (including the two read-only ARM POSTs), retries, the body cap. Nothing else in
the package constructs a transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import httpx

from collector.auth.credential_inputs import CredentialInputs
from collector.auth.credentials import build_identity_credential
from collector.auth.tokens import TokenManager
from collector.clients.arm import ArmClients, ArmScope
from collector.clients.arm_context import SubscriptionContext
from collector.clients.graph import GraphReader, PageCounter, build_graph_client
from collector.clients.paging import no_secrets
from collector.clients.resource_graph import ResourceGraphReader
from collector.core.clouds import TOKEN_PATH, Cloud, cloud_for, origin_of
from collector.core.config import Config
from collector.transport.http import (
    EgressRule,
    GuardedTransport,
    build_http_client,
    build_ssl_context,
)

# The only POSTs ARM may receive: both are reads (policy compliance summary, Resource Graph).
ARM_READ_POSTS: Final = (
    "/policyStates/latest/summarize",
    "/providers/Microsoft.ResourceGraph/resources",
)
ARM_CONCURRENT_REQUESTS: Final = 16

CredentialFactory = Callable[[httpx.AsyncClient, GuardedTransport], Any]


def egress_rules(cloud: Cloud, extra_origins: Iterable[str] = ()) -> list[EgressRule]:
    """Every origin a session may talk to, and the only POSTs it may send (§1.3)."""
    rules = [
        EgressRule(cloud.authority, post_path_suffixes=(TOKEN_PATH,), allow_get=False),
        EgressRule(cloud.graph),
        EgressRule(cloud.resource_manager, post_path_suffixes=ARM_READ_POSTS),
    ]
    rules.extend(EgressRule(origin_of(origin)) for origin in extra_origins)
    return rules


class Session:
    """Owns one transport, one HTTP client, one credential and the Graph and ARM clients.

    Give either `credential`, an azure-identity async credential the caller owns and closes,
    or `credential_factory`, which builds one on this session's HTTP stack so its token
    requests go through the same guarded transport (the collector's own credentials); the
    session closes what the factory built.
    """

    def __init__(
        self,
        cloud: Cloud,
        *,
        credential: Any = None,
        credential_factory: CredentialFactory | None = None,
        extra_origins: Iterable[str] = (),
        environ: Mapping[str, str] | None = None,
        deadline: float | None = None,
        on_page: PageCounter | None = None,
    ) -> None:
        env = None if environ is None else dict(environ)
        self.cloud = cloud
        self.transport = GuardedTransport(
            egress_rules(cloud, extra_origins),
            build_ssl_context(env),
            env,
            deadline=deadline,
            reauthorize=self._current_bearer,
        )
        self.http = build_http_client(self.transport)
        if (credential is None) == (credential_factory is None):
            raise TypeError("give exactly one of credential and credential_factory")
        self._owns_credential = credential_factory is not None
        self.credential = (
            credential_factory(self.http, self.transport) if credential_factory else credential
        )
        self.secrets = (
            self.credential.known_secrets
            if isinstance(self.credential, TokenManager)
            else no_secrets
        )
        self.graph = GraphReader(
            build_graph_client(cloud, self.credential, self.http),
            cloud,
            on_page=on_page,
            secrets=self.secrets,
        )
        self.arm = ArmClients(cloud, self.credential, self.transport)
        self._arm_slots = asyncio.Semaphore(ARM_CONCURRENT_REQUESTS)

    @classmethod
    def for_run(
        cls,
        config: Config,
        inputs: CredentialInputs,
        *,
        environ: Mapping[str, str] | None = None,
        deadline: float | None = None,
        on_page: PageCounter | None = None,
    ) -> Session:
        """The collector's session: its own credential from the validated config and inputs."""
        origins = [*inputs.identity_endpoints]
        if inputs.oidc_request_url:
            origins.append(inputs.oidc_request_url)

        def tokens(http: httpx.AsyncClient, transport: GuardedTransport) -> TokenManager:
            return TokenManager(config, build_identity_credential(config, inputs, http, transport))

        return cls(
            config.cloud,
            credential_factory=tokens,
            extra_origins=origins,
            environ=environ,
            deadline=deadline,
            on_page=on_page,
        )

    @classmethod
    def for_credential(cls, credential: Any, cloud: Cloud | None = None) -> Session:
        """A session for scripts, on an azure-identity credential the caller owns and closes."""
        return cls(cloud or cloud_for("AzureCloud", None), credential=credential)

    @property
    def tokens(self) -> TokenManager:
        """The collector's own token manager (only for a session made by `for_run`)."""
        assert isinstance(self.credential, TokenManager), "not a collector run's session"
        return self.credential

    def subscription(self, subscription_id: str) -> SubscriptionContext:
        """What the `collector.services.azure` modules need for one subscription."""
        scope = ArmScope(self._arm_slots, secrets=self.secrets)
        return SubscriptionContext(self.arm, scope, subscription_id)

    def resource_graph(self) -> ResourceGraphReader:
        """Resource Graph queries, within the run-wide ARM bound (one scope for all of them)."""
        scope = ArmScope(
            self._arm_slots, per_subscription=ARM_CONCURRENT_REQUESTS, secrets=self.secrets
        )
        return ResourceGraphReader(self.arm, scope)

    async def _current_bearer(self, origin: str) -> str | None:
        """A current token for a retried request to `origin`, so none is re-sent expired."""
        scope = self.cloud.scope_for(origin)
        if scope is None:
            return None
        token: str = (await self.credential.get_token(scope)).token
        return token

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *args: object) -> None:
        try:
            if self._owns_credential:
                await self.credential.close()
        finally:
            await self.http.aclose()
