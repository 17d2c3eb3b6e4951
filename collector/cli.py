"""Process entry point: meta flags, config, credentials, the run, exit codes (contract §2.9, §3)."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final, TypeVar

from collector._version import __version__
from collector.auth.credential_inputs import load_credential_inputs
from collector.core.config import load_config
from collector.core.errors import FatalError

if TYPE_CHECKING:
    from collector.auth.credential_inputs import CredentialInputs
    from collector.collection.results import RunResults
    from collector.core.config import Config
from collector.protocol import ProtocolWriter, capabilities_document, say

T = TypeVar("T")


class Cancelled(Exception):
    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


async def _run_with_signals(coro: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    received: list[str] = []

    def on_signal(name: str) -> None:
        if not received:
            received.append(name)
            assert task is not None
            task.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        return await coro
    except asyncio.CancelledError:
        if received:
            raise Cancelled(received[0]) from None
        raise


USAGE = """\
usage: epack-collector-microsoft-cloud [-h | --help] [--version] [--capabilities]
                                       [--preflight [--json]]
       epack-collector-microsoft-cloud report <pack.epack | directory> [-o FILE]

Collects aggregate-only Microsoft Entra ID and Azure posture evidence (counts, percentages,
booleans) for epack. epack runs it as a collector (`epack collect`); to run it by hand, name a
JSON config file in EPACK_COLLECTOR_CONFIG and set the credential variables of its auth_mode:

  EPACK_COLLECTOR_CONFIG=config.json AZURE_CLIENT_SECRET=... epack-collector-microsoft-cloud

stdout carries the epack protocol (progress lines, then one result envelope); warnings and
errors go to stderr. Exit codes: 0 ok, 1 general, 2 config, 3 auth, 4 network or API.

options:
  -h, --help       show this help and exit (reads no config)
  --version        print the version and exit
  --capabilities   print the epack capabilities document and exit
  --preflight      check the config, credentials and every surface's access with one cheap
                   request each, print what works and how to fix the rest, and exit
                   (0 when the mandatory steps work); --json for one JSON document

report             render a pack's microsoft-cloud artifacts: a terminal summary, or with
                   -o FILE one self-contained HTML page (reads the pack only)

Configuration keys, auth modes and permissions: docs/configuration.md
"""


# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD: Final = -1
M_MMAP_THRESHOLD: Final = -3
MMAP_THRESHOLD_BYTES: Final = 32 * 1024
TRIM_THRESHOLD_BYTES: Final = 128 * 1024


def fix_allocator_thresholds() -> None:
    """Keep large blocks out of the C heap. glibc raises its mmap threshold each time it frees
    a large block (up to 32 MiB), after which every response body of a few hundred KiB is
    carved from the heap, which fragments and never shrinks: about 20 MiB of peak RSS on the bench
    estate (docs/performance.md). Fixed thresholds turn that off. Other C libraries are left
    as they are."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["report"]:  # reads a pack: no config, credentials or network
        from collector.report.command import run_report

        return run_report(args[1:])
    if "--capabilities" in args:
        sys.stdout.write(capabilities_document() + "\n")
        return 0
    if "--version" in args:
        sys.stdout.write(__version__ + "\n")
        return 0
    if "--help" in args or "-h" in args:
        sys.stdout.write(USAGE)
        return 0
    if not args and not os.environ.get("EPACK_COLLECTOR_CONFIG") and not _under_epack():
        # A person at a terminal, not epack: show the usage before the contract's config
        # error (§2.1), which still ends the run with exit 2.
        sys.stderr.write(USAGE + "\n")
    logging.disable(logging.CRITICAL)  # SDK logs could carry URLs and bodies; never emitted
    protocol = ProtocolWriter()
    try:
        config = load_config()
        for warning in config.warnings:
            say(f"warning: {warning}")
        inputs = load_credential_inputs(config)
        if "--preflight" in args:
            return _preflight(config, inputs, json_output="--json" in args)
        fix_allocator_thresholds()
        # The SDKs load only once the inputs are valid.
        from collector.artifacts.pack import assemble
        from collector.collection.run import collect

        # The SDKs are hundreds of thousands of long-lived objects that every full garbage
        # collection would scan again; on a large run that was a tenth of the CPU (issue 8).
        gc.freeze()
        results = asyncio.run(_run_with_signals(collect(config, inputs, protocol)))
        _report_gaps(results, config.warnings, protocol)
        protocol.result(assemble(results))
    except FatalError as error:
        if error.hint:
            say(error.hint)
        say(f"error: {error.message}")
        return error.exit_code
    except Cancelled as cancelled:
        say(f"error: collection cancelled by {cancelled.signal_name}")
        return 1
    except BrokenPipeError:
        return 1
    except Exception as error:  # the class name only: messages may carry response data
        say(f"error: internal error ({type(error).__name__})")
        return 1
    return 0


def _preflight(config: Config, inputs: CredentialInputs, json_output: bool) -> int:
    """`--preflight`: never an envelope or artifacts; fatal errors exit as a run's do."""
    from collector.collection.preflight import preflight, render_json, render_text

    checks = asyncio.run(_run_with_signals(preflight(config, inputs)))
    render = render_json if json_output else render_text
    sys.stdout.write(render(config, checks))
    return 0


def _under_epack() -> bool:
    """epack names its protocol version in every collector's environment."""
    return bool(os.environ.get("EPACK_PROTOCOL_VERSION"))


def _report_gaps(
    results: RunResults, already_said: tuple[str, ...], protocol: ProtocolWriter
) -> None:
    """What a successful run could not collect (v1.1 §V.11): each warning, then the share of
    surfaces that came back, on stderr and as progress lines. epack shows a collector's
    progress lines but drops its stderr when the run succeeds, so a user of `epack collect`
    sees them only this way."""
    lines = [f"warning: {warning}" for warning in results.diagnostics["warnings"]]
    done = results.completeness
    if done.collected < done.expected:
        lines.append(
            f"collected {done.collected} of {done.expected} surfaces ({done.pct}%); "
            "see diagnostics.unavailable"
        )
    for line in lines:
        protocol.status(line)
        if line.removeprefix("warning: ") not in already_said:
            say(line)


def run() -> None:
    sys.exit(main())
