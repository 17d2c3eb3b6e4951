"""Run the collector against the large simulated tenant, once per level, and print the numbers.

The simulator runs in this process; the collector runs as epack runs it, as a child process
with a config file and a restricted environment. Everything measured comes from outside the
collector: wall time from the child's exit, peak RSS from its own `VmHWM`, requests, retries and
bytes from what the simulator served.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import deserialization
from bench.estate import MIX, WIDE_MIX, WIDE_SUBSCRIPTIONS, Size, SubscriptionMix, large_estate
from bench.plan import minimal_plan, route_of
from collector.core.config import validate_config
from tests.runner import REPO, base_config, comparable, epack_env, own_peak_rss_kib
from tests.simulator import Simulator
from tests.simulator.scenario import Bucket, ServiceModel, Throttling

LEVELS = ("trust", "audit", "internal")


@dataclass
class Measurement:
    """One collector run at one level, measured from outside."""

    level: str
    exit_code: int
    wall_seconds: float
    peak_rss_mib: float
    cpu_seconds: float  # the collector's user + system time
    simulator_cpu_seconds: float
    requests: Counter[str]
    retries: int
    bytes_received: int
    plan: Counter[str]
    spans: dict[str, tuple[float, float]]  # route → first and last request, seconds from start
    envelope: dict[str, Any] | None
    mix: SubscriptionMix = MIX
    resource_graph: str = "auto"

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def ratio(self) -> float:
        return self.total / sum(self.plan.values())


def run_level(
    level: str,
    size: Size,
    throttling: Throttling | None,
    latency: float | ServiceModel,
    command: list[str],
    mix: SubscriptionMix = MIX,
    resource_graph: str = "auto",
) -> Measurement:
    scenario, subscriptions = large_estate(size, mix=mix)
    if isinstance(latency, ServiceModel):
        scenario.service_model = latency
    else:
        scenario.latency_seconds = latency
    scenario.throttling = throttling
    with Simulator(scenario) as sim, tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "config.json"
        config = base_config(
            sim, subscription_ids=subscriptions, level=level, resource_graph=resource_graph
        )
        uses_resource_graph = validate_config(config).uses_resource_graph
        config_path.write_text(json.dumps(config))
        env = {**epack_env(sim), "EPACK_COLLECTOR_CONFIG": str(config_path)}
        env["PYTHONPATH"] = str(REPO)
        out_path = Path(tmp) / "stdout"
        simulator_cpu = _own_cpu()
        started = time.perf_counter()
        clock_zero = time.monotonic()
        with out_path.open("wb") as out:
            pid = os.posix_spawn(
                command[0], command, env, file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)]
            )
            peak_kib = 0
            while True:  # the collector's own VmHWM: wait4's ru_maxrss counts this process
                peak_kib = max(peak_kib, own_peak_rss_kib(pid))
                done, status, usage = os.wait4(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.02)
        wall = time.perf_counter() - started
        simulator_cpu = _own_cpu() - simulator_cpu
        stdout = out_path.read_text()
        requests = Counter(route_of(entry.service, entry.path) for entry in sim.log)
        spans: dict[str, tuple[float, float]] = {}
        for entry in sim.log:
            route = route_of(entry.service, entry.path)
            first, last = spans.get(route, (entry.at, entry.at))
            spans[route] = (min(first, entry.at), max(last, entry.at))
        retries = sum(
            n for (_, code), n in sim.statuses.items() if code in (429, 500, 502, 503, 504)
        )
        received = sum(sim.bytes_sent.values())
    return Measurement(
        level=level,
        exit_code=os.waitstatus_to_exitcode(status),
        wall_seconds=wall,
        peak_rss_mib=peak_kib / 1024,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        simulator_cpu_seconds=simulator_cpu,
        requests=requests,
        retries=retries,
        bytes_received=received,
        plan=minimal_plan(size, level, mix, uses_resource_graph),
        spans={r: (a - clock_zero, b - clock_zero) for r, (a, b) in spans.items()},
        envelope=_envelope(stdout),
        mix=mix,
        resource_graph=resource_graph,
    )


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _envelope(stdout: str) -> dict[str, Any] | None:
    marker = '{\n  "type": "epack_result"'
    if marker not in stdout:
        return None
    document: dict[str, Any] = json.loads(stdout[stdout.index(marker) :])
    return document


def _artifact(envelope: dict[str, Any] | None, suffix: str) -> dict[str, Any]:
    for entry in (envelope or {}).get("artifacts", []):
        if entry["path"].endswith(suffix):
            data: dict[str, Any] = entry["data"]
            return data
    return {}


def checks(run: Measurement, size: Size) -> list[tuple[str, bool]]:
    """Spot checks that the run read everything: a fast run that dropped data is no result."""
    entra = _artifact(run.envelope, "microsoft-cloud.entra.json")
    azure = _artifact(run.envelope, "microsoft-cloud.azure.json")
    accounts = azure.get("accounts", [])
    result = [
        ("exit code 0", run.exit_code == 0),
        ("users counted", entra.get("users", {}).get("total_count") == size.users),
        ("no tenant errors", not entra.get("diagnostics", {}).get("tenant_errors")),
        ("every subscription read", len(accounts) == size.subscriptions),
        ("no subscription errors", not azure.get("diagnostics", {}).get("subscription_errors")),
        (
            "no surface stopped by the deadline",
            not [
                u
                for u in entra.get("diagnostics", {}).get("unavailable", [])
                if u.get("reason") == "deadline"
            ],
        ),
    ]
    if run.level != "trust":
        counted = [a.get("inventory", {}).get("resources_count") for a in accounts]
        result.append(("resources counted", counted == [run.mix.resources] * size.subscriptions))
    if run.level == "internal":
        monitoring = entra.get("sign_in_monitoring") or {}
        result.append(("sign-ins counted", monitoring.get("sign_ins_count") == size.sign_ins))
    return result


def report(run: Measurement, size: Size) -> str:
    lines = [
        f"## {run.level} (resource_graph: {run.resource_graph})",
        "",
        "| wall time | collector CPU | simulator CPU | peak RSS | requests | minimal plan "
        "| ratio | retries | bytes received |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {run.wall_seconds:.1f} s | {run.cpu_seconds:.1f} s | {run.simulator_cpu_seconds:.1f} s "
        f"| {run.peak_rss_mib:.0f} MiB | {run.total:,} "
        f"| {sum(run.plan.values()):,} | {run.ratio:.3f} | {run.retries} "
        f"({100 * run.retries / max(run.total, 1):.2f} %) | {run.bytes_received / 2**20:,.1f} MiB |",
        "",
        "| route | requests | minimal | first request | last request |",
        "|---|---:|---:|---:|---:|",
    ]
    routes = sorted(set(run.requests) | set(run.plan), key=_route_key)
    for r in routes:
        first, last = run.spans.get(r, (0.0, 0.0))
        lines.append(
            f"| {r} | {run.requests.get(r, 0):,} | {run.plan.get(r, 0):,} "
            f"| {first:.1f} s | {last:.1f} s |"
        )
    lines.append("")
    lines += [f"- {'ok' if ok else 'FAILED'}: {name}" for name, ok in checks(run, size)]
    return "\n".join(lines) + "\n"


def _route_key(route: str) -> tuple[int, int]:
    if route == "token":
        return (0, 0)
    if route[0] in "GA" and route[1:].split("+")[0].isdigit():
        return (1 if route[0] == "G" else 2, int(route[1:].split("+")[0]))
    return (3, 0)


def machine() -> str:
    cpus = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {cpus} CPUs, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--levels", default=",".join(LEVELS), help="comma-separated levels")
    parser.add_argument("--scale", type=float, default=1.0, help="estate size factor (1 = issue 8)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added to every request")
    parser.add_argument(
        "--profile",
        choices=("standard", "realistic"),
        default="standard",
        help="realistic: per-route latency of the ServiceModel instead of --latency-ms",
    )
    parser.add_argument(
        "--reporting-per-second",
        type=float,
        default=Throttling().graph_reporting.per_second,
        help="Graph reporting-API limit (G4, G13, G14) per tenant",
    )
    parser.add_argument("--no-throttling", action="store_true", help="serve every request")
    parser.add_argument("--binary", help="run this collector binary instead of python -m collector")
    parser.add_argument(
        "--estate",
        choices=("standard", "wide"),
        default="standard",
        help=f"wide: {WIDE_SUBSCRIPTIONS} subscriptions x {WIDE_MIX.resources} resources, each "
        "level run per subscription (never) and with Resource Graph (auto), outputs compared",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # The simulator's handler threads share one GIL: hand it over quickly so one thread
    # rendering a 999-row page does not add milliseconds to another's fixed latency.
    sys.setswitchinterval(0.0005)
    size = Size().scaled(args.scale) if args.scale != 1 else Size()
    mix = MIX
    if args.estate == "wide":
        size, mix = dataclasses.replace(size, subscriptions=WIDE_SUBSCRIPTIONS), WIDE_MIX
    throttling = None
    if not args.no_throttling:
        rate = args.reporting_per_second
        throttling = Throttling(graph_reporting=Bucket(max(1.0, rate), rate))
    command = [args.binary] if args.binary else [sys.executable, "-m", "collector"]
    latency: float | ServiceModel = args.latency_ms / 1000
    described = f"latency {args.latency_ms:g} ms"
    if args.profile == "realistic":
        latency = model = ServiceModel()
        described = (
            f"realistic latency: Graph {model.graph * 1000:g} ms (+{model.sign_in_activity_page * 1000:g} "
            f"ms a signInActivity page, +{model.reporting_page * 1000:g} ms a reporting page), "
            f"ARM {model.arm * 1000:g} ms, login {model.login * 1000:g} ms"
        )
    print(f"# benchmark: {machine()}")
    print(
        f"# estate: {size.users:,} users, {size.subscriptions} subscriptions x {mix.resources:,} "
        f"resources, {size.sign_ins:,} sign-ins, {size.directory_audits:,} directory audits; "
        f"{described}; throttling {'off' if throttling is None else 'on'}\n"
    )
    failed = False
    modes = ("never", "auto") if args.estate == "wide" else ("auto",)
    for level in args.levels.split(","):
        runs = [run_level(level, size, throttling, latency, command, mix, mode) for mode in modes]
        for run in runs:
            print(report(run, size), flush=True)
            failed |= not all(ok for _, ok in checks(run, size))
        if len(runs) == 2:
            same = comparable(runs[0].envelope) == comparable(runs[1].envelope)
            failed |= not same
            print(
                f"- Resource Graph / per subscription: requests {runs[1].total:,} / "
                f"{runs[0].total:,} = {runs[1].total / runs[0].total:.3f}, wall "
                f"{runs[1].wall_seconds:.1f} s / {runs[0].wall_seconds:.1f} s; "
                f"{'identical' if same else 'DIFFERENT'} output\n",
                flush=True,
            )
    print(deserialization.report())
    return 1 if failed else 0
