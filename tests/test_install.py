"""What a new user copies from the docs works: version constraints, the CI workflow, releases.

The constraint check runs epack's own semver code (from the Go module cache, the version the
Makefile builds), since `epack lock` itself needs GitHub to resolve a range.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from collector._version import __version__
from tests.runner import REPO

SOURCE = "locktivity/epack-collector-microsoft-cloud"
EPACK_MODULE = "github.com/locktivity/epack@v0.1.34"
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# A program placed inside a copy of epack's module, so it may import epack's internal semver.
CONSTRAINT_CHECK = """package main

import (
	"encoding/json"
	"os"

	"github.com/locktivity/epack/internal/component/semver"
)

func main() {
	out := map[string]any{}
	version, err := semver.ParseVersion(os.Args[1])
	if err != nil {
		panic(err)
	}
	for _, raw := range os.Args[2:] {
		c, err := semver.ParseConstraint(raw)
		if err != nil {
			out[raw] = map[string]any{"error": err.Error()}
			continue
		}
		out[raw] = map[string]any{
			"exact": c.Type == semver.ConstraintExact, "matches": c.Matches(version),
			"has_minor": c.HasMinor,
		}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
"""


def _yaml_blocks() -> list[tuple[str, str]]:
    blocks = []
    for doc in DOCS:
        for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)):
            blocks.append((f"{doc.relative_to(REPO)}#{index}", block))
    return blocks


def _constraints() -> dict[str, str]:
    """Every `source:` constraint of this collector in the docs, by where it appears."""
    found = {}
    for where, block in _yaml_blocks():
        for match in re.finditer(rf"source:\s*{re.escape(SOURCE)}@(\S+)", block):
            found[f"{where}:{match.group(1)}"] = match.group(1)
    return found


def test_every_yaml_block_in_the_docs_parses() -> None:
    for where, block in _yaml_blocks():
        assert yaml.safe_load(block) is not None, where


def _epack_semver(version: str, constraints: list[str]) -> dict[str, Any]:
    if not os.environ.get("EPACK_BIN"):
        pytest.skip("EPACK_BIN not set (run `make test`, which fetches epack's module)")
    go = shutil.which("go")
    assert go, "go is needed to run epack's own constraint code"
    modcache = subprocess.run(
        [go, "env", "GOMODCACHE"], capture_output=True, text=True, check=True
    ).stdout.strip()
    module = Path(modcache) / EPACK_MODULE.replace(
        "github.com/locktivity/", "github.com/locktivity/"
    )
    assert module.is_dir(), f"{module} missing: `make tools` fetches it"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "epack"
        shutil.copytree(module, copy)
        for path in [copy, *copy.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)  # the module cache is read-only
        (copy / "cmd" / "constraintcheck").mkdir()
        (copy / "cmd" / "constraintcheck" / "main.go").write_text(CONSTRAINT_CHECK)
        result = subprocess.run(
            [go, "run", "./cmd/constraintcheck", version, *constraints],
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "GOFLAGS": "-mod=mod"},
        )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_every_documented_constraint_resolves_to_this_release_under_epacks_rules() -> None:
    constraints = _constraints()
    assert len(constraints) >= 8  # README, configuration (one per auth mode), examples
    verdicts = _epack_semver(f"v{__version__}", sorted(set(constraints.values())))
    # The check itself tells the two mistakes apart: a bare major is an exact tag epack asks
    # GitHub for ("v0"), and a range this release does not satisfy never resolves to it.
    assert _epack_semver("v0.1.0", ["v0", "^0.1"])["v0"]["exact"] is True
    for where, constraint in constraints.items():
        verdict = verdicts[constraint]
        assert "error" not in verdict, (where, verdict)
        assert not (verdict["exact"] and not verdict["has_minor"]), (where, "a bare major tag")
        assert verdict["matches"], (where, f"does not select v{__version__}")


def _workflow_block() -> dict[str, Any]:
    blocks = [
        yaml.safe_load(block)
        for where, block in _yaml_blocks()
        if where.startswith("docs/examples.md") and "jobs:" in block
    ]
    assert len(blocks) == 1
    workflow: dict[str, Any] = blocks[0]
    return workflow


def test_the_documented_workflow_syncs_before_a_frozen_collect() -> None:
    workflow = _workflow_block()
    assert workflow["permissions"]["id-token"] == "write"
    runs = [step.get("run", "") for step in workflow["jobs"]["collect"]["steps"]]
    collect = next(i for i, run in enumerate(runs) if run.startswith("epack collect --frozen"))
    fetch = next(i for i, run in enumerate(runs) if re.match(r"epack (sync|install)\b", run))
    epack = next(i for i, run in enumerate(runs) if "cmd/epack@" in run)
    assert epack < fetch < collect


def test_the_release_workflow_publishes_what_epack_verifies() -> None:
    text = (REPO / ".github" / "workflows" / "release.yml").read_text()
    release = yaml.safe_load(text)
    jobs = release["jobs"]
    assert list(jobs) == ["test", "build", "subjects", "provenance", "publish"]
    matrix = {(m["os"], m["arch"]) for m in jobs["build"]["strategy"]["matrix"]["include"]}
    assert matrix == {
        ("linux", "amd64"),
        ("linux", "arm64"),
        ("darwin", "amd64"),
        ("darwin", "arm64"),
    }
    assert "epack-collector-microsoft-cloud-${{ matrix.os }}-${{ matrix.arch }}" in str(
        jobs["build"]["steps"]
    )
    generator = jobs["provenance"]["uses"]
    assert re.fullmatch(
        r"slsa-framework/slsa-github-generator/\.github/workflows/generator_generic_slsa3\.yml"
        r"@v\d+\.\d+\.\d+",
        generator,
    ), generator  # referenced by tag: the certificate subject epack accepts ends in @refs/tags/v…
    assert jobs["provenance"]["permissions"]["id-token"] == "write"
    publish = str(jobs["publish"]["steps"])
    assert '"${asset}.sigstore.json"' in publish and "checksums.txt" in publish
    files = jobs["publish"]["steps"][-1]["with"]["files"]
    assert "dist/epack-collector-microsoft-cloud-*" in files and "dist/checksums.txt" in files
    # the workflow signs nothing itself: only the generator's identity is trusted by epack
    assert "sigstore-python" not in text and "cosign sign" not in text


def test_the_wheel_carries_the_report_template(tmp_path: Path) -> None:
    """`pip install` users run `report` too: the page template must be package data."""
    import sys
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "collector/report/templates/report.html.j2" in names
    assert not [name for name in names if name.startswith("tests/")]
