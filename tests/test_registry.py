"""The surface registry is the one place a surface is declared, and everything derives from it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collector.collection.diagnostics import Diagnostics, SubscriptionReport
from collector.core import registry
from collector.core.outcomes import Failure, Kind, Outcome, SurfaceResults
from collector.core.registry import SURFACES, expected, gate_open, surface
from tests.runner import REPO

SUB = "33333333-3333-3333-3333-333333333333"


def test_each_surface_is_declared_once_in_the_registry() -> None:
    sources = {path: path.read_text() for path in (REPO / "collector").rglob("*.py")}
    for row in SURFACES:
        for fact in (row.label, row.route):
            holders = [path.name for path, text in sources.items() if f'"{fact}"' in text]
            assert set(holders) <= {"registry.py"}, (row.key, fact, holders)
    assert len({row.key for row in SURFACES}) == len(SURFACES)


def test_a_new_row_flows_into_warnings_errors_capabilities_and_truncation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = replace(
        surface("G7"),
        key="G99",
        label="Fake policy",
        name="fake_policy",
        capability="fake_policy",
        permission="Fake.Read.All",
        route="/policies/fake",
    )
    rows = (*SURFACES, fake)
    monkeypatch.setattr(registry, "SURFACES", rows)
    monkeypatch.setattr(registry, "BY_KEY", {row.key: row for row in rows})
    denied = Failure.http("permission", "graph", "/policies/fake", 403, None)
    broken = Failure.of(Kind.PAGE_CAP, "arm", "/x?api-version")
    built = Diagnostics(entra={"G99": Outcome(None, (denied,))}).build()
    assert built["warnings"] == [
        "Fake policy unavailable: Microsoft Graph application permission Fake.Read.All is not "
        "granted or lacks admin consent; grant it and re-run [fake_policy]"
    ]
    assert built["license"]["capabilities_unavailable"] == ["fake_policy"]
    assert expected("tenant", "trust", SurfaceResults())[-1] == "G99"

    arm_fake = replace(surface("A17"), key="A99", label="Fake ARM", name="fake_arm")
    rows = (*rows, arm_fake)
    monkeypatch.setattr(registry, "SURFACES", rows)
    monkeypatch.setattr(registry, "BY_KEY", {row.key: row for row in rows})
    built = Diagnostics(
        subscriptions=[SubscriptionReport(SUB, surfaces={"A99": Outcome(None, (broken,))})]
    ).build()
    assert built["subscription_errors"] == [
        f"{SUB}: fake_arm: arm request /x?api-version failed: page limit exceeded"
    ]
    assert built["truncation"] == {f"{SUB}/fake_arm/pages": {"truncated": True, "dropped_count": 1}}


def _results(**values: object) -> SurfaceResults:
    """Available outcomes for each key given; `None` values mean 'failed'."""
    outcomes: dict[str, Outcome[object]] = {}
    for key, value in values.items():
        failure = (Failure.http("error", "arm", "/x", 500, None),) if value is None else ()
        outcomes[key] = Outcome(value, failures=failure)
    return SurfaceResults(outcomes)


class _Ids:
    def __init__(self, *ids: str) -> None:
        self.ids = list(ids)


V11 = ["G15", "G16", "G17"]  # G18 only once G6 has named a group


@pytest.mark.parametrize(
    ("level", "keys"),
    [
        ("trust", ["G2", "G3", "G4", "G5", "G6", "G7", "G10", "G11", "G12", *V11]),
        ("audit", ["G2", "G3", "G4", "G5", "G6", "G7", "G10", "G11", "G12", *V11]),
        ("internal", ["G2", "G3", "G4", "G5", "G6", "G7", "G10", "G11", "G12", "G13", "G14", *V11]),
    ],
)
def test_tenant_surfaces_expected_per_level_before_anything_completed(
    level: str, keys: list[str]
) -> None:
    assert expected("tenant", level, SurfaceResults()) == keys


class _Policies:
    def __init__(self, count: int) -> None:
        self.groups = [f"group-{n}" for n in range(count)]


@pytest.mark.parametrize(
    ("groups", "called"),
    [(0, False), (1, True), (500, True), (501, False)],  # over the cap: no G18 call at all
)
def test_g18_is_called_for_one_to_500_conditional_access_groups(groups: int, called: bool) -> None:
    assert gate_open(surface("G18"), _results(G6=_Policies(groups))) is called
    assert gate_open(surface("G18"), _results(G6=None)) is False  # G6 unavailable


def test_entra_dependencies_g3_then_g8_then_g9() -> None:
    assert "G8" not in expected("tenant", "trust", _results(G3=None))
    assert "G8" in expected("tenant", "trust", _results(G3=1))
    assert "G9" not in expected("tenant", "trust", _results(G3=1, G8=None))
    assert "G9" in expected("tenant", "trust", _results(G3=1, G8=1))


@pytest.mark.parametrize(
    ("a4", "called"),
    [(0, False), (3, True), (None, True)],  # A5 is skipped only when A4 is exactly 0
)
def test_a5_is_called_unless_a4_counted_zero(a4: int | None, called: bool) -> None:
    assert gate_open(surface("A5"), _results(A4=a4)) is called
    assert gate_open(surface("A5"), SurfaceResults()) is True  # A4 unknown: A5 is still called


def test_a19_needs_every_monitored_parent_and_a_non_empty_mon() -> None:
    parents = {"A6": _Ids("sa"), "A7": _Ids(), "A8": _Ids(""), "A9": [], "A11": _Ids()}
    a19 = surface("A19")
    assert gate_open(a19, _results(**parents)) is True
    assert gate_open(a19, _results(**(parents | {"A6": _Ids()}))) is False  # MON empty
    assert gate_open(a19, _results(**(parents | {"A9": None}))) is False  # a parent failed
    assert registry.monitored_resources(_results(**parents)) == ["sa"]


def test_audit_adds_the_inventory_and_trust_does_not() -> None:
    assert "A20" not in expected("subscription", "trust", SurfaceResults())
    assert "A20" in expected("subscription", "audit", SurfaceResults())
    assert "A21" not in expected("subscription", "internal", SurfaceResults())
