"""`make demo`: run the collector against a small simulated tenant and show what it collected.

Starts the simulator in this process, runs the collector as epack would (a subprocess with a
config file, a restricted environment and SSL_CERT_FILE pointing at the simulator's CA), then
prints the progress lines and a summary of every artifact.
"""

from __future__ import annotations

import json
import sys

from tests.runner import base_config, epack_env, run_collector
from tests.simulator import Simulator
from tests.simulator.tenants import demo_scenario


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
    print(f"exit code 0; {requests} HTTPS requests served by the simulator\n")
    for artifact in run.envelope["artifacts"]:
        schema = artifact.get("schema", "(vendor)")
        print(f"== {artifact['path']}  [{schema}]")
        print(json.dumps(artifact["data"], indent=2))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
