"""The Microsoft cloud table (contract §2.4).

This is the only module that may name public Microsoft hosts or state a fact about a cloud
(Graph's version path, the token path, the managed-identity origin, what a national cloud does
not offer); everything else derives its URLs, scopes and behaviour from a `Cloud`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

GRAPH_VERSION_PATH: Final = "/v1.0"  # the only Graph version this collector reads (never beta)
TOKEN_PATH: Final = "/oauth2/v2.0/token"
IMDS_ORIGIN: Final = "http://169.254.169.254"  # Azure's instance metadata service (§2.6)
# National clouds do not offer every Graph API; there a 404 means "not offered here" (issue 9),
# not a failed request. Elsewhere only G12 reads a 404 that way (§6.2).
_NOT_EVERY_GRAPH_API: Final = frozenset({"AzureUSGovernment", "AzureChinaCloud"})


@dataclass(frozen=True)
class CustomEndpoints:
    """Origins given by `endpoints` for `azure_environment: custom` (already normalized)."""

    authority: str
    graph: str
    resource_manager: str


@dataclass(frozen=True)
class Cloud:
    """Everything the collector needs to know about one Microsoft cloud."""

    name: str
    authority: str
    graph: str
    resource_manager: str
    oidc_audience: str

    @property
    def graph_base(self) -> str:
        return f"{self.graph}{GRAPH_VERSION_PATH}"

    @property
    def graph_404_means_not_offered(self) -> bool:
        return self.name in _NOT_EVERY_GRAPH_API

    @property
    def graph_scope(self) -> str:
        return f"{self.graph}/.default"

    @property
    def arm_scope(self) -> str:
        return f"{self.resource_manager}/.default"

    def token_endpoint(self, tenant_id: str) -> str:
        return f"{self.authority}/{quote(tenant_id, safe='')}{TOKEN_PATH}"

    def scope_for(self, origin: str) -> str | None:
        """The token scope for requests to `origin` (Graph or ARM), None for any other host."""
        scopes = {
            origin_of(self.graph): self.graph_scope,
            origin_of(self.resource_manager): self.arm_scope,
        }
        return scopes.get(origin)


_NAMED: Final = {
    "AzureCloud": Cloud(
        name="AzureCloud",
        authority="https://login.microsoftonline.com",
        graph="https://graph.microsoft.com",
        resource_manager="https://management.azure.com",
        oidc_audience="api://AzureADTokenExchange",
    ),
    "AzureUSGovernment": Cloud(
        name="AzureUSGovernment",
        authority="https://login.microsoftonline.us",
        graph="https://graph.microsoft.us",
        resource_manager="https://management.usgovcloudapi.net",
        oidc_audience="api://AzureADTokenExchangeUSGov",
    ),
    "AzureChinaCloud": Cloud(
        name="AzureChinaCloud",
        authority="https://login.chinacloudapi.cn",
        graph="https://microsoftgraph.chinacloudapi.cn",
        resource_manager="https://management.chinacloudapi.cn",
        oidc_audience="api://AzureADTokenExchangeChina",
    ),
}
CLOUD_NAMES: Final = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud", "custom")


def cloud_for(name: str, endpoints: CustomEndpoints | None) -> Cloud:
    """Resolve a validated `azure_environment` name (and custom origins) to a Cloud."""
    if name != "custom":
        return _NAMED[name]
    assert endpoints is not None, "config validation guarantees endpoints for custom"
    return Cloud(
        name="custom",
        authority=endpoints.authority,
        graph=endpoints.graph,
        resource_manager=endpoints.resource_manager,
        oidc_audience="api://AzureADTokenExchange",
    )


def origin_of(url: str) -> str:
    """`scheme://host[:port]` with the default HTTPS port dropped and the host lower-cased."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    scheme = parts.scheme.lower()
    if port is None or (scheme == "https" and port == 443):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
