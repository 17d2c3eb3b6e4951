"""The HTML page: one Jinja2 template, autoescaped, with inline CSS and SVG bars.

The page must open from a file URL on a machine with no network (an auditor's laptop, a CI
artifact viewer), so it references nothing outside itself; its Content-Security-Policy says
so to the browser as well.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from collector._version import __version__
from collector.report.view import ReportView

TEMPLATES = Path(__file__).parent / "templates"


def render_html(view: ReportView) -> str:
    """The page for `view`, as one string."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.globals["shade"] = shade
    template = environment.get_template("report.html.j2")
    tenant = next((row.cell.text for row in view.facts if row.label == "Tenant"), "")
    return template.render(view=view, version=__version__, tenant=tenant)


def shade(pct: int) -> str:
    """A headline bar's colour: every headline is a coverage, where more is better."""
    if pct >= 90:
        return "#2f855a"
    return "#b7791f" if pct >= 50 else "#c53030"
