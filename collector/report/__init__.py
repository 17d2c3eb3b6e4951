"""The `report` command (contract v1.1 §V.12): a readable view of what a pack holds.

It reads a pack exactly as epack wrote it (or a directory holding its `artifacts/`), builds
one view model from the microsoft-cloud artifacts, and renders that model either as a
self-contained HTML page or as a terminal summary. The view shows only what the artifacts
hold, so it inherits their privacy: aggregates, tenant and subscription IDs, fixes.

    from collector.report import load_pack, build_view, render_html
    html = render_html(build_view(load_pack(Path("evidence.epack"))))
"""

from collector.report.html import render_html
from collector.report.pack import Pack, ReportInputError, load_pack
from collector.report.terminal import render_terminal
from collector.report.view import ReportView, build_view

__all__ = [
    "Pack",
    "ReportInputError",
    "ReportView",
    "build_view",
    "load_pack",
    "render_html",
    "render_terminal",
]
