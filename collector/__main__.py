"""`python -m collector`."""

from collector.cli import run

run()
