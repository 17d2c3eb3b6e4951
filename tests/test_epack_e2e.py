"""As users run it: the single-file binary and the console script under the real epack CLI.

`make test` builds the binary and epack and passes their paths in the environment; a plain
`pytest` run (no paths given) skips these tests. When a path is given but missing, they fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.epack_tools import (
    console_script,
    epack_project,
    epack_run,
    make_pack,
    tool,
    user_env,
)
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


@pytest.fixture
def scenario() -> Scenario:
    tenant = entra_tenant()
    azure_estate(tenant)
    return tenant


def _collect_with_epack(epack: Path, collector: Path, sim: Simulator) -> dict[str, dict[str, Any]]:
    pack = make_pack(epack, collector, sim, base_config(sim, subscription_ids=[S1]))
    try:
        with zipfile.ZipFile(pack) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            artifacts = {name: json.loads(archive.read(name)) for name in SCHEMAS}
    finally:
        shutil.rmtree(pack.parent)
    declared = {entry["path"]: entry.get("schema") for entry in manifest["artifacts"]}
    assert declared == SCHEMAS
    return artifacts


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
    epack = tool("EPACK_BIN")
    binary = tool("COLLECTOR_BINARY")
    _same(_collect_with_epack(epack, binary, sim), _direct(sim))


def test_console_script_under_real_epack(sim: Simulator) -> None:
    epack = tool("EPACK_BIN")
    _same(_collect_with_epack(epack, console_script(), sim), _direct(sim))


def test_conformance_at_the_strictest_level() -> None:
    checker = tool("EPACK_CONFORMANCE_BIN")
    binary = tool("COLLECTOR_BINARY")
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
    epack = tool("EPACK_BIN")
    binary = tool("COLLECTOR_BINARY")
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


def _epack_collect(
    epack: Path, collector: Path, config: dict[str, Any], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`epack lock` then `epack collect --frozen` as a user runs them; the result, not asserted."""
    for project in epack_project(collector, config, ["AZURE_CLIENT_SECRET"]):
        epack_run(epack, project, env, "lock")
        return subprocess.run(
            [str(epack), "collect", "--frozen", "-o", "evidence.epack", "--progress", "plain"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    raise AssertionError("unreachable")


def test_warnings_and_completeness_reach_the_user_through_epack(sim: Simulator) -> None:
    """One subscription denied, Conditional Access unlicensed: the user sees both, unmangled."""
    epack = tool("EPACK_BIN")
    sim.scenario.faults.append(
        Fault(
            "graph",
            "/v1.0/identity/conditionalAccess/policies",
            403,
            licence_required(),
        )
    )
    config = base_config(sim, subscription_ids=[S1, S2, S3])
    env = user_env(sim, AZURE_CLIENT_SECRET=sim.scenario.client_secret)
    result = _epack_collect(epack, console_script(), config, env)
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
    epack = tool("EPACK_BIN")
    result = _epack_collect(epack, console_script(), base_config(sim), user_env(sim))
    shown = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "AZURE_CLIENT_SECRET is not set; list it under secrets: in epack.yaml and set it in the "
        "job's environment"
    ) in shown, shown
    assert "[REDACTED]" not in shown
