"""`epack-collector-microsoft-cloud report <pack.epack | directory> [-o FILE]`.

Outside the epack protocol: it reads a pack, so it never touches the config, the
credentials or the network, and its stdout is for people (the summary, or one line naming
the page it wrote). Invalid input exits 2 with the reason on stderr, like a config error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from collector.report.html import render_html
from collector.report.pack import ReportInputError, load_pack
from collector.report.terminal import render_terminal
from collector.report.view import build_view

DESCRIPTION = """\
Render the microsoft-cloud artifacts of an evidence pack: with -o, one self-contained HTML
page (no network, no scripts; charts as inline SVG); without, a summary on the terminal.
PACK is an .epack file as `epack collect -o` writes it, or a directory containing artifacts/.
"""


def run_report(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="epack-collector-microsoft-cloud report",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("pack", metavar="PACK", type=Path)
    parser.add_argument("-o", "--output", metavar="FILE", type=Path, help="write the HTML page")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2), already printed
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        view = build_view(load_pack(args.pack))
        if args.output is None:
            render_terminal(view, sys.stdout)
            return 0
        _write(args.output, render_html(view))
    except ReportInputError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    sys.stdout.write(f"wrote {args.output}\n")
    return 0


def _write(path: Path, text: str) -> None:
    """Replace `path` in one step, so a reader never sees half a page."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ReportInputError(f"cannot write {path}: {directory} is not a directory")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".report-", suffix=".html")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise ReportInputError(f"cannot write {path}: {error.strerror}") from None
