"""PyInstaller entry point (the package's `python -m collector` equivalent)."""

from collector.cli import run

run()
