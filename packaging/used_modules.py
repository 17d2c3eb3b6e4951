"""Record which msgraph / azure.mgmt modules a real collection imports (input to the binary build).

msgraph-sdk and the multi-API azure-mgmt packages hold thousands of modules that this collector
never loads, and PyInstaller would bundle them all (it follows imports inside functions and
TYPE_CHECKING blocks). This script runs one full `internal` collection in-process against the
bundled simulator, including failing surfaces, and writes the loaded module names; the spec
file excludes every other module of those packages.

The simulator runs in a child process, so this process imports the collector and its SDKs
and nothing from the test tree: the census sees exactly what the binary will load.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRUNED_ROOTS = ("msgraph", "azure.mgmt")


def _collect(simulator: dict[str, object]) -> int:
    sys.path.insert(0, str(REPO))
    from collector.cli import main as collector_main

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "tenant_id": simulator["tenant_id"],
                    "client_id": simulator["client_id"],
                    "auth_mode": "client_secret",
                    "subscription_ids": simulator["subscription_ids"],
                    "level": "internal",
                    "resource_graph": "always",  # its client's modules are in the census too
                    "azure_environment": "custom",
                    "endpoints": simulator["endpoints"],
                }
            )
        )
        os.environ.update(
            {
                "EPACK_COLLECTOR_CONFIG": str(config),
                "SSL_CERT_FILE": str(simulator["ca_path"]),
                "AZURE_CLIENT_SECRET": str(simulator["client_secret"]),
            }
        )
        with contextlib.redirect_stdout(io.StringIO()):
            return collector_main([])


def main(output: str) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.simulator.serve", "census"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        code = _collect(json.loads(server.stdout.readline()))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    if code != 0:
        raise SystemExit(f"the warm-up collection failed with exit code {code}")
    if any(name == "tests" or name.startswith("tests.") for name in sys.modules):
        raise SystemExit("the census imported the test tree")
    used = sorted(name for name in sys.modules if name.startswith(PRUNED_ROOTS))
    Path(output).write_text(json.dumps(used, indent=0) + "\n")
    print(f"{len(used)} msgraph/azure.mgmt modules used; written to {output}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
