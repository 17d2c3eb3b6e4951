"""The terminal summary: the headline figures, completeness, each subscription's key
figures and what could not be collected, as `rich` tables.

Every value reaches rich as a `Text`, never as a markup string: a pack is input, and a
bracket in it must print as a bracket.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from collector.report.view import NO_VALUE, SUBSCRIPTION_SUMMARY, Cell, Grid, ReportView

#: The subscription figures the terminal shows: the azure field, and its short name.
TERMINAL_FIGURES = (
    ("defender.secure_score_pct", "secure score"),
    ("policy.compliant_pct", "policy compliant"),
    ("storage.public_access_blocked_pct", "storage public access blocked"),
    ("network.ssh_open_to_world_pct", "NSGs with SSH open"),
    ("network.rdp_open_to_world_pct", "NSGs with RDP open"),
    ("backup.retention_days_min", "backup retention days"),
)
BAR_WIDTH = 20


def render_terminal(view: ReportView, file: IO[str], width: int | None = None) -> None:
    """Print the summary of `view` to `file` (colour only when `file` is a terminal)."""
    console = Console(file=file, width=width, highlight=False, emoji=False, markup=False)
    console.print(Text("Microsoft cloud posture", style="bold"))
    for row in view.facts:
        console.print(Text.assemble((f"{row.label}: ", "dim"), row.cell.text))
    headlines = Table(title="Headline coverage", title_justify="left", show_edge=False)
    headlines.add_column("Figure")
    headlines.add_column("Value", justify="right")
    headlines.add_column("", no_wrap=True)
    for headline in view.headlines:
        headlines.add_row(Text(headline.label), _value(headline.cell), _bar(headline.cell))
    if view.completeness is not None:
        headlines.add_row(
            Text(f"Evidence completeness ({view.completeness_detail})"),
            _value(view.completeness),
            _bar(view.completeness),
        )
    console.print()
    console.print(headlines)
    if view.subscription_summary is not None:
        console.print()
        console.print(_subscriptions(view.subscription_summary))
    console.print()
    if view.unavailable:
        console.print(Text(f"Not collected ({len(view.unavailable)}):", style="bold"))
        for item in view.unavailable:
            console.print(Text(f"  {item.scope} {item.surface} ({item.reason}): {item.fix}"))
    else:
        console.print(Text("Every surface was collected."))
    console.print(Text(f"{NO_VALUE} no value: nothing to measure, or not collected", style="dim"))
    for line in view.errors:
        console.print(Text(f"error: {line}"))


def _subscriptions(summary: Grid) -> Table:
    """A row per subscription with its figures as one wrapped line: fits any width."""
    table = Table(title="Azure subscriptions", title_justify="left", show_edge=False)
    table.add_column("Subscription ID", no_wrap=True)
    table.add_column("Key figures")
    paths = [path for _, path in SUBSCRIPTION_SUMMARY]
    picked = [(paths.index(path), short) for path, short in TERMINAL_FIGURES]
    for subscription, cells in summary.rows:
        figures = " · ".join(f"{short} {cells[index].text}" for index, short in picked)
        table.add_row(Text(subscription), Text(figures))
    return table


def _value(cell: Cell) -> Text:
    return Text(cell.text, style="dim" if cell.missing else "")


def _bar(cell: Cell) -> Text:
    if cell.pct is None:
        return Text("")
    filled = round(cell.pct * BAR_WIDTH / 100)
    return Text("█" * filled + "░" * (BAR_WIDTH - filled))
