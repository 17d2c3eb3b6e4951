"""The layers of the package, enforced: imports point one way, ARM code never reaches Graph.

    core  <-  transport  <-  auth  <-  clients  <-  services  <-  collection  <-  artifacts  <-  app
    core  <-  report  <-  app   (the `report` command reads packs, never the services)

`core` is a leaf (outcomes, registry, config, clouds, sanitize, metrics, JSON paths). `app` is
the process and library surface (cli, protocol, library, the package's public names).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.runner import REPO

PACKAGE = REPO / "collector"
LAYERS = (
    "core",
    "transport",
    "auth",
    "clients",
    "services",
    "collection",
    "artifacts",
    "report",
    "app",
)
APP_MODULES = {"collector", "collector.cli", "collector.protocol", "collector.library"}
GRAPH_MODULES = (
    "collector.clients.graph",
    "collector.services.entra",
    "collector.collection.entra",
)
ARM_MODULES = (
    "collector.clients.arm",
    "collector.clients.arm_context",
    "collector.clients.resource_graph",
    "collector.services.azure",
    "collector.collection.azure",
)
# What artifact builders may use from collection: its results, never its orchestration.
ARTIFACT_INPUTS = ("collector.collection.results",)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    if module in APP_MODULES or module == "collector.__main__":
        return "app"
    if module == "collector._version":
        return "core"
    return module.split(".")[1]


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def _imports(path: Path) -> set[str]:
    """Every collector module `path` imports, anywhere in the file (TYPE_CHECKING included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(name if _is_module(name) else node.module for name in names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "collector" or name.startswith("collector.")}


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in PACKAGE.rglob("*.py")}


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def test_every_module_belongs_to_a_layer() -> None:
    assert {_layer(module) for module in _graph()} <= set(LAYERS)


def test_imports_point_down_the_layers() -> None:
    against = [
        f"{module} ({_layer(module)}) imports {target} ({_layer(target)})"
        for module, targets in _graph().items()
        for target in targets
        if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module))
    ]
    assert against == []


def test_arm_code_imports_nothing_from_graph_code() -> None:
    crossing = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _within(module, ARM_MODULES)
        for target in targets
        if _within(target, GRAPH_MODULES)
    ]
    assert crossing == []


def test_artifact_builders_never_import_orchestration() -> None:
    reaching = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _layer(module) == "artifacts"
        for target in targets
        if _layer(target) == "collection" and not _within(target, ARTIFACT_INPUTS)
    ]
    assert reaching == []


def test_the_report_reads_packs_and_nothing_that_collects() -> None:
    """A pack is the report's only input: no SDK, no session, no collection code."""
    reaching = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _layer(module) == "report"
        for target in targets
        if _layer(target) != "report" and target != "collector._version"
    )
    assert reaching == []


def test_only_the_session_constructs_a_transport() -> None:
    builders = sorted(
        _module_name(path)
        for path in PACKAGE.rglob("*.py")
        if re.search(r"\bGuardedTransport\(|\bbuild_http_client\(", path.read_text())
        and path.name != "http.py"
    )
    assert builders == ["collector.clients.session"]


def test_public_names_resolve_and_the_package_is_typed() -> None:
    import collector

    assert (PACKAGE / "py.typed").exists()
    for name in collector.__all__:
        assert getattr(collector, name) is not None, name


def test_the_binary_census_imports_nothing_from_the_test_tree() -> None:
    """packaging/used_modules.py decides what the binary bundles; tests/ must not skew it."""
    census = REPO / "packaging" / "used_modules.py"
    imported = {
        name
        for node in ast.walk(ast.parse(census.read_text()))
        for name in (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else []
        )
    }
    assert not {name for name in imported if name.split(".")[0] == "tests"}
