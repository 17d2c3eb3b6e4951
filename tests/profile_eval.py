"""A reading of epack-tool-validate's documented profile semantics, for the profile test.

The real validator is not served by the Go module proxy this project builds its tools from
(see docs/examples.md), so the test evaluates profiles/ with this interpreter of the
semantics its configuration page documents: requirements of `any_of` (first matching clause
decides; a clause with a `severity` that matches is a graded failure) or `all_of` clauses;
clauses match artifacts by the manifest's `schema`; conditions are `all` of
`{path, op, value, cardinality}` over the JSONPath subset `$.a.b` and `$.a[*].b`. A path with
`cardinality: all` fails when any element lacks the field (partial presence).
Values compare by JSON type: `true` never equals `1`.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import yaml

MISSING = object()


def evaluate(profile: Path, pack: Path) -> dict[str, str]:
    """Requirement ID → `pass` or `fail`, for `pack` (an .epack file) under `profile`."""
    document = yaml.safe_load(profile.read_text())
    by_schema = _artifacts_by_schema(pack)
    outcome = {}
    for requirement in document["requirements"]:
        modes = requirement["satisfied_by"]
        ((mode, clauses),) = modes.items()
        matches = [_clause_matches(clause, by_schema) for clause in clauses]
        if mode == "any_of":
            first = next((c for c, hit in zip(clauses, matches, strict=True) if hit), None)
            passed = first is not None and "severity" not in first
        else:
            passed = all(matches) and not any("severity" in c for c in clauses)
        outcome[requirement["id"]] = "pass" if passed else "fail"
    return outcome


def _artifacts_by_schema(pack: Path) -> dict[str, list[Any]]:
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        found: dict[str, list[Any]] = {}
        for entry in manifest["artifacts"]:
            if entry.get("schema"):
                body = json.loads(archive.read(entry["path"]))
                found.setdefault(entry["schema"], []).append(body)
    return found


def _clause_matches(clause: dict[str, Any], by_schema: dict[str, list[Any]]) -> bool:
    conditions = clause.get("metadata_conditions", {}).get("all", [])
    return any(
        all(_condition_holds(condition, body) for condition in conditions)
        for body in by_schema.get(clause["type"], [])
    )


def _condition_holds(condition: dict[str, Any], body: Any) -> bool:
    values = _select(condition["path"], body)
    op, expected = condition["op"], condition.get("value")
    cardinality = condition.get("cardinality", "")
    if not cardinality:
        if len(values) != 1:
            raise ValueError(f"{condition['path']} needs a cardinality")
        return _compare(op, values[0], expected)
    results = [_compare(op, value, expected) for value in values]
    if cardinality == "all":
        return bool(values) and all(results)
    if cardinality == "any":
        return any(results)
    return not any(results)  # none


def _select(path: str, body: Any) -> list[Any]:
    """`$.a.b` → [value or MISSING]; `$.a[*].b` → one value (or MISSING) per element."""
    assert path.startswith("$."), path
    head, star, tail = path[2:].partition("[*]")
    base = _walk(body, head)
    if not star:
        return [base]
    if not isinstance(base, list):
        return []
    return [_walk(item, tail.removeprefix(".")) for item in base]


def _walk(value: Any, dotted: str) -> Any:
    for part in filter(None, dotted.split(".")):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "exists":
        return actual is not MISSING
    if op == "not_exists":
        return actual is MISSING
    if actual is MISSING:
        return False
    if op in ("eq", "neq"):
        same = type(actual) is type(expected) or (_number(actual) and _number(expected))
        equal = same and actual == expected
        return equal if op == "eq" else not equal
    if not (_number(actual) and _number(expected)):
        return False
    return {
        "gt": actual > expected,
        "gte": actual >= expected,
        "lt": actual < expected,
        "lte": actual <= expected,
    }[op]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
