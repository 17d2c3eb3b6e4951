"""Run the collector as epack does: a subprocess with a config file and a restricted env."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.simulator import Simulator
from tests.simulator.scenario import CLIENT_ID, TENANT_ID

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_kib: int = 0  # the collector process's own peak (VmHWM), subprocess runs only

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    @property
    def envelope(self) -> dict[str, Any]:
        start = self.stdout.index('{\n  "type": "epack_result"')
        document: dict[str, Any] = json.loads(self.stdout[start:])
        return document

    @property
    def progress(self) -> list[dict[str, Any]]:
        out = []
        for line in self.lines:
            if line.startswith('{"type":"epack_progress"'):
                out.append(json.loads(line))
        return out

    def artifact(self, path_suffix: str) -> dict[str, Any] | None:
        for entry in self.envelope["artifacts"]:
            if entry["path"].endswith(path_suffix):
                data: dict[str, Any] = entry["data"]
                return data
        return None

    @property
    def paths(self) -> list[str]:
        return [entry["path"] for entry in self.envelope["artifacts"]]


def comparable(envelope: dict[str, Any] | None) -> str:
    """An epack_result envelope without its collection times, as sorted JSON: what two runs
    of the same estate by different paths (users ranges, Resource Graph) must agree on."""
    document = dict(envelope or {})
    document["artifacts"] = {
        entry.get("path"): {k: v for k, v in entry.get("data", {}).items() if k != "collected_at"}
        for entry in document.get("artifacts", [])
    }
    document.pop("collected_at", None)
    return json.dumps(document, sort_keys=True, default=str)


def base_config(sim: Simulator | None, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "tenant_id": TENANT_ID,
        "client_id": CLIENT_ID,
        "auth_mode": "client_secret",
        "subscription_ids": [],
    }
    if sim is not None:
        config["azure_environment"] = "custom"
        config["endpoints"] = sim.endpoints()
    config.update(overrides)
    return config


def epack_env(sim: Simulator | None, **extra: str) -> dict[str, str]:
    """The restricted environment epack gives a collector, plus the listed secrets."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": tempfile.gettempdir(),
        "TMPDIR": tempfile.gettempdir(),
        "LANG": "C.UTF-8",
        "EPACK_COLLECTOR_NAME": "microsoft-cloud",
        "EPACK_PROTOCOL_VERSION": "1",
    }
    if sim is not None:
        env["SSL_CERT_FILE"] = str(sim.ca_path)
        env["AZURE_CLIENT_SECRET"] = sim.scenario.client_secret
    env.update(extra)
    return env


def run_collector(
    config: dict[str, Any] | str | None,
    env: dict[str, str],
    command: list[str] | None = None,
    timeout: float = 120,
) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        if config is not None:
            path = Path(tmp) / "config.json"
            path.write_text(config if isinstance(config, str) else json.dumps(config))
            env = {**env, "EPACK_COLLECTOR_CONFIG": str(path)}
        argv = command or [sys.executable, "-m", "collector"]
        run = _spawn(argv, {**env, "PYTHONPATH": str(REPO)}, Path(tmp), timeout)
    # A bug in the collector nulls its surface in production; in a test it fails the test.
    assert "failed: internal error" not in run.stdout, run.stdout
    return run


def _spawn(argv: list[str], env: dict[str, str], workdir: Path, timeout: float) -> Run:
    """Run one child to its end and read its own peak memory (`own_peak_rss_kib`).

    posix_spawn, not fork: a forked child of a large test worker starts with the worker's
    pages, and its peak RSS would report them. Its stdout and stderr go to files in `workdir`.
    """
    out_path, err_path = workdir / "stdout.txt", workdir / "stderr.txt"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    pid = os.posix_spawnp(
        argv[0],
        argv,
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, str(out_path), flags, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, str(err_path), flags, 0o600),
        ],
    )
    deadline = time.monotonic() + timeout
    peak = 0
    while True:
        peak = max(peak, own_peak_rss_kib(pid))
        done, status, _ = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            raise subprocess.TimeoutExpired(argv, timeout)
        time.sleep(0.02)
    return Run(
        os.waitstatus_to_exitcode(status),
        out_path.read_text(),
        err_path.read_text(),
        peak_rss_kib=peak,
    )


def own_peak_rss_kib(pid: int) -> int:
    """The process's own high-water RSS (`VmHWM`), 0 once it has exited.

    Not `wait4`'s `ru_maxrss`: posix_spawn runs the child in the parent's address space
    until it execs, and Linux records that address space's high-water mark as the child's
    (exec_mmap), so a large test worker or bench process would be reported as the collector's
    peak. `VmHWM` is the collector's own address space from its exec on; polled every 20 ms,
    it misses at most the growth of the last poll interval.
    """
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_in_process(config: dict[str, Any], env: dict[str, str]) -> Run:
    """The same run as `run_collector`, in this process: for metric tables, where a fresh
    interpreter adds only its start-up (about 2 s of SDK imports per run) and nothing else.

    The process environment is replaced by `env` for the run, as epack's restricted one
    would be, and stdout / stderr are captured as the subprocess's would be.
    """
    from collector.cli import main

    saved = dict(os.environ)
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config))
        os.environ.clear()
        os.environ.update({**env, "EPACK_COLLECTOR_CONFIG": str(path)})
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([])
        finally:
            os.environ.clear()
            os.environ.update(saved)
    assert "failed: internal error" not in out.getvalue(), out.getvalue()
    return Run(code, out.getvalue(), err.getvalue())
