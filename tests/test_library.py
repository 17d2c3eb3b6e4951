"""docs/library.md's example runs, unchanged, against the simulator (so it never rots)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys

import pytest
from azure.identity.aio import ClientSecretCredential
from azure.mgmt.policyinsights.aio import PolicyInsightsClient
from azure.mgmt.policyinsights.operations._policy_states_operations import (
    build_trigger_subscription_evaluation_request,
)

from collector import CustomEndpoints, Failure, Session, SurfaceError, cloud_for
from collector.core.outcomes import Kind
from tests.runner import REPO
from tests.simulator import Scenario, Simulator
from tests.tenants.azure_estate import S1, azure_estate
from tests.tenants.entra_tenant import install_entra


def test_library_example(sim: Simulator, scenario: Scenario) -> None:
    install_entra(scenario)
    azure_estate(scenario)
    example = re.findall(
        r"```python\n(.*?)```", (REPO / "docs" / "library.md").read_text(), flags=re.S
    )[0]
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(REPO),
        "SSL_CERT_FILE": str(sim.ca_path),
        "AZURE_TENANT_ID": scenario.tenant_id,
        "AZURE_CLIENT_ID": scenario.client_id,
        "AZURE_CLIENT_SECRET": scenario.client_secret,
        "AZURE_SUBSCRIPTION_ID": S1,
        "MICROSOFT_CLOUD_ENDPOINTS": json.dumps(sim.endpoints()),
    }
    result = subprocess.run(
        [sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    # 4 storage accounts, 3 of them HTTPS-only; policy states 7 compliant, 3 noncompliant
    # (7 / 10 = 70 %, through the read-only POST); p1 p3 p5 p6 p7 enabled (tests/tenants).
    assert result.stdout.splitlines() == [
        "storage accounts: 4, https only: 75%",
        "policy compliance: 70%",
        "enabled Conditional Access policies: 5",
    ]


def test_a_post_outside_the_allowlist_is_refused_egress_and_never_sent(
    sim: Simulator, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policy evaluation triggers are POSTs that change state; a session never sends one."""
    azure_estate(scenario)
    monkeypatch.setenv("SSL_CERT_FILE", str(sim.ca_path))
    cloud = cloud_for("custom", CustomEndpoints(**sim.endpoints()))

    async def attempt() -> Failure:
        credential = ClientSecretCredential(
            scenario.tenant_id,
            scenario.client_id,
            scenario.client_secret,
            authority=cloud.authority,
            disable_instance_discovery=True,
        )
        async with credential, Session.for_credential(credential, cloud) as session:
            ctx = session.subscription(S1)
            async with ctx.client(PolicyInsightsClient) as client:
                trigger = build_trigger_subscription_evaluation_request(S1)  # a POST that writes
                route = ctx.route("/providers/Microsoft.PolicyInsights/policyStates/latest")
                with pytest.raises(SurfaceError) as refused:
                    await ctx.get_json(client, trigger, route)
        return refused.value.failure

    failure = asyncio.run(attempt())
    assert failure.kind is Kind.EGRESS
    assert failure.detail == (
        "arm request /subscriptions/[subscription_id]/providers/Microsoft.PolicyInsights/"
        "policyStates/[policystates]?api-version failed: egress refused"
    )
    assert [r.path for r in sim.log if r.method == "POST" and r.service == "arm"] == []
