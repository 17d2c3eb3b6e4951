"""The real epack CLI (and the collector's own commands) as a user runs them, for the tests.

`make test` builds the binary and epack and passes their paths in the environment; a plain
`pytest` run (no paths given) skips the tests that need them. When a path is given but
missing, they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.simulator import Simulator


def tool(variable: str) -> Path:
    """The executable named by `variable`: skip when unset, fail when it is not there."""
    import pytest

    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"{variable} not set (run `make test` for the end-to-end suite)")
    path = Path(value)
    assert path.is_file() and os.access(path, os.X_OK), f"{variable}={value} is not an executable"
    return path


def epack_run(epack: Path, project: Path, env: dict[str, str], *args: str) -> str:
    """One epack command that must succeed; its stdout."""
    result = subprocess.run(
        [str(epack), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"epack {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def epack_project(collector: Path, config: dict[str, Any], secrets: list[str]) -> Iterator[Path]:
    """A throwaway epack project whose one collector is `collector` with `config`."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        listed = "".join(f"      - {name}\n" for name in secrets)
        (project / "epack.yaml").write_text(
            "stream: example/evidence\n"
            "collectors:\n"
            "  microsoft-cloud:\n"
            f"    binary: {collector}\n"
            f"    config: {json.dumps(config)}\n"
            f"    secrets:\n{listed}"
        )
        yield project


def user_env(sim: Simulator, **extra: str) -> dict[str, str]:
    """What a CI job gives epack: a plain PATH and HOME, and the simulator's CA."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": tempfile.gettempdir(),
        "SSL_CERT_FILE": str(sim.ca_path),
        **extra,
    }


def make_pack(epack: Path, collector: Path, sim: Simulator, config: dict[str, Any]) -> Path:
    """`epack lock` and `epack collect --frozen -o evidence.epack`, verified; a copy of the
    pack in a fresh temporary directory (the caller's to keep or delete)."""
    env = user_env(sim, AZURE_CLIENT_SECRET=sim.scenario.client_secret)
    kept = Path(tempfile.mkdtemp()) / "evidence.epack"
    for project in epack_project(collector, config, ["AZURE_CLIENT_SECRET"]):
        epack_run(epack, project, env, "lock")
        epack_run(
            epack,
            project,
            env,
            "collect",
            "--frozen",
            "-o",
            "evidence.epack",
            "--progress",
            "plain",
        )
        verified = epack_run(epack, project, env, "verify", "--integrity-only", "evidence.epack")
        assert "Verification passed" in verified
        shutil.copy(project / "evidence.epack", kept)
    return kept


def console_script() -> Path:
    script = shutil.which("epack-collector-microsoft-cloud", path=str(Path(sys.executable).parent))
    assert script is not None, "the console script is not installed in this environment"
    return Path(script)
