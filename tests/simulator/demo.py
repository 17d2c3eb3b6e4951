"""`make demo`: run the collector against a small simulated tenant and show what it collected.

Starts the simulator in this process, runs the collector as epack would (a subprocess with a
config file, a restricted environment and SSL_CERT_FILE pointing at the simulator's CA),
writes the artifacts as a pack holds them (build/demo/artifacts/), then shows them the way
a user would: the `report` command's terminal summary, and its HTML page next to them.
"""

from __future__ import annotations

import json
import shutil
import sys

from collector.report.command import run_report
from tests.runner import REPO, base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.simulator.tenants import demo_scenario

OUTPUT = REPO / "build" / "demo"


def main() -> int:
    scenario, subscriptions = demo_scenario()
    with Simulator(scenario) as sim:
        config = base_config(sim, subscription_ids=subscriptions, level="internal")
        run = run_collector(config, epack_env(sim))
        requests = len(sim.log)
    for entry in run.progress:
        print(f"progress: {entry['message']}")
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return run.returncode
    print(f"exit code 0; {requests} HTTPS requests served by the simulator")
    shutil.rmtree(OUTPUT, ignore_errors=True)
    (OUTPUT / "artifacts").mkdir(parents=True)
    for artifact in run.envelope["artifacts"]:
        (OUTPUT / artifact["path"]).write_text(json.dumps(artifact["data"], indent=2) + "\n")
    print(f"artifacts written to {OUTPUT.relative_to(REPO)}/artifacts/\n")
    return run_report([str(OUTPUT), "-o", str(OUTPUT / "report.html")]) or run_report([str(OUTPUT)])


if __name__ == "__main__":
    sys.exit(main())
