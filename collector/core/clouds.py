"""The Microsoft cloud table (contract §2.4).

This is the only module that may name public Microsoft hosts; everything else derives its
URLs and token scopes from a `Cloud`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote


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
        return f"{self.graph}/v1.0"

    @property
    def graph_scope(self) -> str:
        return f"{self.graph}/.default"

    @property
    def arm_scope(self) -> str:
        return f"{self.resource_manager}/.default"

    def token_endpoint(self, tenant_id: str) -> str:
        return f"{self.authority}/{quote(tenant_id, safe='')}/oauth2/v2.0/token"


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
