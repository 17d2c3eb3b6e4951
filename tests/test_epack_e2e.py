"""As users run it: the single-file binary and the console script under the real epack CLI.

`make test` builds the binary and epack and passes their paths in the environment; a plain
`pytest` run (no paths given) skips these tests. When a path is given but missing, they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.runner import REPO, base_config, epack_env, run_collector
from tests.simulator import Fault, Scenario, Simulator
from tests.simulator.scenario import licence_required
from tests.tenants.azure_estate import S1, S2, S3, azure_estate
from tests.tenants.entra_tenant import entra_tenant

SCHEMAS = {
    "artifacts/microsoft-cloud.entra.json": None,
    "artifacts/microsoft-cloud.idp-posture.json": "evidencepack/idp-posture@v1",
    "artifacts/microsoft-cloud.azure.json": None,
    "artifacts/microsoft-cloud.cloud-posture.json": "evidencepack/cloud-posture@v1",
}


def _tool(variable: str) -> Path:
    value = os.environ.get(variable)
    if not value:
        pytest.skip(f"{variable} not set (run `make test` for the end-to-end suite)")
    path = Path(value)
    assert path.is_file() and os.access(path, os.X_OK), f"{variable}={value} is not an executable"
    return path


@pytest.fixture
def scenario() -> Scenario:
    tenant = entra_tenant()
    azure_estate(tenant)
    return tenant


def _epack(epack: Path, project: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(epack), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, (
        f"epack {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _project(collector: Path, config: dict[str, Any], secrets: list[str]) -> Iterator[Path]:
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


def _collect_with_epack(epack: Path, collector: Path, sim: Simulator) -> dict[str, dict[str, Any]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": tempfile.gettempdir(),
        "SSL_CERT_FILE": str(sim.ca_path),
        "AZURE_CLIENT_SECRET": sim.scenario.client_secret,
    }
    for project in _project(
        collector, base_config(sim, subscription_ids=[S1]), ["AZURE_CLIENT_SECRET"]
    ):
        _epack(epack, project, env, "lock")
        _epack(
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
        verified = _epack(epack, project, env, "verify", "--integrity-only", "evidence.epack")
        assert "Verification passed" in verified
        with zipfile.ZipFile(project / "evidence.epack") as pack:
            manifest = json.loads(pack.read("manifest.json"))
            artifacts = {name: json.loads(pack.read(name)) for name in SCHEMAS}
        declared = {entry["path"]: entry.get("schema") for entry in manifest["artifacts"]}
        assert declared == SCHEMAS
        return artifacts
    raise AssertionError("unreachable")


def _direct(sim: Simulator) -> dict[str, dict[str, Any]]:
    run = run_collector(base_config(sim, subscription_ids=[S1]), epack_env(sim))
    assert run.returncode == 0, run.stderr
    return {entry["path"]: entry["data"] for entry in run.envelope["artifacts"]}


def _same(left: dict[str, dict[str, Any]], right: dict[str, dict[str, Any]]) -> None:
    def strip(artifacts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {
            path: {k: v for k, v in data.items() if k != "collected_at"}
            for path, data in artifacts.items()
        }

    assert strip(left) == strip(right)


def test_binary_under_real_epack_matches_direct_run(sim: Simulator) -> None:
    epack = _tool("EPACK_BIN")
    binary = _tool("COLLECTOR_BINARY")
    _same(_collect_with_epack(epack, binary, sim), _direct(sim))


def test_console_script_under_real_epack(sim: Simulator) -> None:
    epack = _tool("EPACK_BIN")
    _same(_collect_with_epack(epack, _console_script(), sim), _direct(sim))


def test_conformance_at_the_strictest_level() -> None:
    checker = _tool("EPACK_CONFORMANCE_BIN")
    binary = _tool("COLLECTOR_BINARY")
    result = subprocess.run(
        [str(checker), "collector", str(binary), "--level", "full", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["summary"]["must"]["fail"] == 0 and report["summary"]["should"]["fail"] == 0


def _yaml_snippets() -> list[tuple[str, str]]:
    snippets = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for index, block in enumerate(
            re.findall(r"```yaml\n(.*?)```", doc.read_text(), flags=re.S)
        ):
            if "collectors:" in block:
                snippets.append((f"{doc.name}#{index}", block))
    return snippets


@pytest.mark.parametrize(
    ("where", "snippet"), _yaml_snippets(), ids=[s[0] for s in _yaml_snippets()]
)
def test_every_documented_epack_yaml_parses_with_real_epack(where: str, snippet: str) -> None:
    epack = _tool("EPACK_BIN")
    binary = _tool("COLLECTOR_BINARY")
    # `source:` needs the network to resolve; the binary form runs the same config parser offline.
    local = re.sub(r"(?m)^(\s*)source: .*$", rf"\1binary: {binary}", snippet)
    if "stream:" not in local:
        local = "stream: example/docs\n" + local
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "epack.yaml").write_text(local)
        result = subprocess.run(
            [str(epack), "lock"],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "HOME": tmp},
        )
    assert result.returncode == 0, f"{where}:\n{local}\n{result.stdout}{result.stderr}"


def _console_script() -> Path:
    script = shutil.which("epack-collector-microsoft-cloud", path=str(Path(sys.executable).parent))
    assert script is not None, "the console script is not installed in this environment"
    return Path(script)


def _epack_collect(
    epack: Path, collector: Path, config: dict[str, Any], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`epack lock` then `epack collect --frozen` as a user runs them; the result, not asserted."""
    for project in _project(collector, config, ["AZURE_CLIENT_SECRET"]):
        _epack(epack, project, env, "lock")
        return subprocess.run(
            [str(epack), "collect", "--frozen", "-o", "evidence.epack", "--progress", "plain"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    raise AssertionError("unreachable")


def _user_env(sim: Simulator, **extra: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": tempfile.gettempdir(),
        "SSL_CERT_FILE": str(sim.ca_path),
        **extra,
    }


def test_warnings_and_completeness_reach_the_user_through_epack(sim: Simulator) -> None:
    """One subscription denied, Conditional Access unlicensed: the user sees both, unmangled."""
    epack = _tool("EPACK_BIN")
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/identity/conditionalAccess/policies",
            403,
            licence_required(),
        )
    )
    config = base_config(sim, subscription_ids=[S1, S2, S3])
    env = _user_env(sim, AZURE_CLIENT_SECRET=sim.scenario.client_secret)
    result = _epack_collect(epack, _console_script(), config, env)
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown
    for line in (
        "warning: Conditional Access policies unavailable: the tenant is not licensed for it "
        "(Microsoft Entra ID P1 or P2 required); dependent metrics are null [conditional_access]",
        "collected 64 of 66 surfaces (97%); see diagnostics.unavailable",  # as tests/test_process
    ):
        assert line in shown, shown
    assert "[REDACTED]" not in shown


def test_a_missing_secret_is_named_intact_through_epack(sim: Simulator) -> None:
    """The secret is listed under `secrets:` but not set: epack's redaction leaves the fix whole."""
    epack = _tool("EPACK_BIN")
    result = _epack_collect(epack, _console_script(), base_config(sim), _user_env(sim))
    shown = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "AZURE_CLIENT_SECRET is not set; list it under secrets: in epack.yaml and set it in the "
        "job's environment"
    ) in shown, shown
    assert "[REDACTED]" not in shown
