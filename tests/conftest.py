"""Shared fixtures: a running simulator per test and the schema validator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from collector.core import outcomes
from tests.runner import Run, run_in_process
from tests.simulator import Scenario, Simulator

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_FILES = {
    "artifacts/microsoft-cloud.entra.json": "microsoft-cloud.entra.v1.1.0.json",
    "artifacts/microsoft-cloud.idp-posture.json": "idp-posture.v1.json",
    "artifacts/microsoft-cloud.azure.json": "microsoft-cloud.azure.v1.1.0.json",
    "artifacts/microsoft-cloud.cloud-posture.json": "cloud-posture.v1.json",
}


@pytest.fixture(autouse=True)
def internal_errors_fail_the_test() -> Iterator[None]:
    """In-process runs: a bug in our own code must fail the test, not hide in a null surface."""

    def fail(key: str, error: BaseException) -> None:
        raise AssertionError(f"internal error in surface {key}: {error!r}") from error

    outcomes.internal_error_hooks.append(fail)
    yield
    outcomes.internal_error_hooks.remove(fail)


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


@pytest.fixture
def sim(scenario: Scenario) -> Iterator[Simulator]:
    with Simulator(scenario) as running:
        yield running


def _numbers(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


def validate_envelope(run: Run) -> None:
    """Every artifact the tests produce is checked against its JSON Schema; the normalized
    schemas accept the published definitions' numbers, and this collector emits integers."""
    for entry in run.envelope["artifacts"]:
        schema: dict[str, Any] = json.loads((SCHEMAS / SCHEMA_FILES[entry["path"]]).read_text())
        jsonschema.Draft202012Validator(schema).validate(entry["data"])
        assert all(isinstance(n, int) for n in _numbers(entry["data"])), entry["path"]


def collected(config: dict[str, Any], env: dict[str, str]) -> Run:
    """An in-process run that must succeed, its artifacts checked against their schemas."""
    result = run_in_process(config, env)
    assert result.returncode == 0, result.stderr
    validate_envelope(result)
    return result


def entra_of(run: Run) -> dict[str, Any]:
    data = run.artifact("entra.json")
    assert data is not None
    return data
