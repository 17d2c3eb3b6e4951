"""Each named Microsoft cloud: every request goes to that cloud's hosts, and only there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from collector.core.clouds import cloud_for
from tests.connect_proxy import ConnectProxy
from tests.runner import REPO, base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.tenants.azure_estate import S2, azure_estate
from tests.tenants.entra_tenant import install_entra

PUBLIC_HOSTS = re.compile(
    r"microsoftonline\.(com|us)|graph\.microsoft\.(com|us)|management\.azure\.com|usgovcloudapi\.net|chinacloudapi\.cn"
)


@pytest.mark.parametrize("cloud_name", ["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"])
def test_every_request_goes_to_the_clouds_hosts(sim: Simulator, cloud_name: str) -> None:
    install_entra(sim.scenario)
    azure_estate(sim.scenario)
    cloud = cloud_for(cloud_name, None)
    host = {cloud.authority: "login", cloud.graph: "graph", cloud.resource_manager: "arm"}
    by_name = {origin.removeprefix("https://"): service for origin, service in host.items()}
    for origin, service in host.items():
        sim.aliases.setdefault(service, set()).add(origin)

    def route(name: str, port: int) -> tuple[str, int]:
        return "127.0.0.1", int(sim.origin(by_name[name]).rsplit(":", 1)[1])

    config = base_config(None, azure_environment=cloud_name, subscription_ids=[S2])
    with ConnectProxy(route) as proxy:
        env = epack_env(sim, HTTPS_PROXY=proxy.url)
        run = run_collector(config, env)
        tunnels = set(proxy.tunnels)
    assert run.returncode == 0, run.stderr
    assert tunnels == {f"{name}:443" for name in by_name}
    entra = run.artifact("entra.json")
    assert entra is not None and entra["users"]["total_count"] == 11
    assert run.artifact("azure.json") is not None
    scopes = {r.body.decode() for r in sim.requests("login")}
    assert all("scope=" in body for body in scopes)
    assert {re.search(r"scope=([^&]+)", b).group(1) for b in scopes} == {  # type: ignore[union-attr]
        f"{cloud.graph}/.default".replace(":", "%3A").replace("/", "%2F"),
        f"{cloud.resource_manager}/.default".replace(":", "%3A").replace("/", "%2F"),
    }


def test_public_hostnames_appear_only_in_the_cloud_table() -> None:
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "collector").rglob("*.py")
        if path.name != "clouds.py" and PUBLIC_HOSTS.search(path.read_text())
    ]
    assert offenders == []


def test_no_graph_beta_url_literals() -> None:
    sources = [*Path(REPO / "collector").rglob("*.py")]
    assert not [p for p in sources if re.search(r"graph[^\"']*/beta|/beta/", p.read_text())]


def test_an_api_the_national_cloud_does_not_offer_is_reported_as_such(sim: Simulator) -> None:
    install_entra(
        sim.scenario
    )  # no directory audits exist in this simulated cloud: Graph answers 404
    cloud = cloud_for("AzureChinaCloud", None)
    host = {cloud.authority: "login", cloud.graph: "graph", cloud.resource_manager: "arm"}
    for origin, service in host.items():
        sim.aliases.setdefault(service, set()).add(origin)
    by_name = {origin.removeprefix("https://"): service for origin, service in host.items()}
    sim.scenario.graph_collections["/auditLogs/signIns"] = []

    def route(name: str, port: int) -> tuple[str, int]:
        return "127.0.0.1", int(sim.origin(by_name[name]).rsplit(":", 1)[1])

    with ConnectProxy(route) as proxy:
        run = run_collector(
            base_config(None, azure_environment="AzureChinaCloud", level="internal"),
            epack_env(sim, HTTPS_PROXY=proxy.url),
        )
    assert run.returncode == 0, run.stderr
    entra = run.artifact("entra.json")
    assert entra is not None and "directory_activity" not in entra and "sign_in_monitoring" in entra
    assert entra["diagnostics"]["tenant_errors"] == []
    assert entra["diagnostics"]["warnings"] == [
        "Directory audit log unavailable: Microsoft Graph returned 404 in this tenant or cloud; dependent "
        "metrics are null [directory_audit_activity]"
    ]
