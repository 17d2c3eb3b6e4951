"""docs/library.md's example runs, unchanged, against the simulator (so it never rots)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

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
    # 4 storage accounts, 3 of them HTTPS-only; p1 p3 p5 p6 p7 enabled (tests/tenants).
    assert result.stdout.splitlines() == [
        "storage accounts: 4, https only: 75%",
        "enabled Conditional Access policies: 5",
    ]
