"""Record which msgraph / azure.mgmt modules a real collection imports (input to the binary build).

msgraph-sdk and the multi-API azure-mgmt packages hold thousands of modules that this collector
never loads, and PyInstaller would bundle them all (it follows imports inside functions and
TYPE_CHECKING blocks). This script runs one full `internal` collection in-process against the
bundled simulator, including failing surfaces, and writes the loaded module names; the spec
file excludes every other module of those packages.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.runner import base_config
from tests.simulator import Fault, Simulator
from tests.simulator.scenario import arm_error, graph_error
from tests.tenants.azure_estate import S1, S2
from tests.tenants.full import full_estate

PRUNED_ROOTS = ("msgraph", "azure.mgmt")


def main(output: str) -> None:
    scenario = full_estate()
    scenario.faults += [
        Fault(
            "graph",
            "/v1.0/applications",
            500,
            graph_error("InternalServerError", "x"),
            headers={"Retry-After": "0"},
        ),
        Fault(
            "arm",
            f"/subscriptions/{S2}/providers/Microsoft.KeyVault",
            409,
            arm_error("MissingSubscriptionRegistration", "x"),
        ),
    ]
    from collector.cli import main as collector_main

    with Simulator(scenario) as sim, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps(base_config(sim, subscription_ids=[S1, S2], level="internal")))
        os.environ.update(
            {
                "EPACK_COLLECTOR_CONFIG": str(config),
                "SSL_CERT_FILE": str(sim.ca_path),
                "AZURE_CLIENT_SECRET": scenario.client_secret,
            }
        )
        with contextlib.redirect_stdout(io.StringIO()):
            code = collector_main([])
    if code != 0:
        raise SystemExit(f"the warm-up collection failed with exit code {code}")
    used = sorted(name for name in sys.modules if name.startswith(PRUNED_ROOTS))
    Path(output).write_text(json.dumps(used, indent=0) + "\n")
    print(f"{len(used)} msgraph/azure.mgmt modules used; written to {output}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
