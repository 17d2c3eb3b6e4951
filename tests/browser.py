"""Headless Chromium driven over the DevTools protocol on a pipe, for the report's browser test.

`--remote-debugging-pipe` makes Chromium read protocol commands from fd 3 and write replies
and events to fd 4, each message a JSON text ended by a NUL byte: no port, no websocket
library, nothing listening on the network. The page runs with the network emulated offline,
and every request the page makes is recorded from `Network.requestWillBeSent`.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Flags for a quiet, sandbox-free headless run on a closed network (see the env notes).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--remote-debugging-pipe",
)


@dataclass
class PageVisit:
    """What loading one page did: its requests, its text, and a screenshot."""

    requests: list[str] = field(default_factory=list)
    text: str = ""
    screenshot: bytes = b""


class DevTools:
    """One protocol session with the browser over its pipe."""

    def __init__(self, send: int, receive: int) -> None:
        self._send = send
        self._receive = os.fdopen(receive, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = self._receive.read(1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        document: dict[str, Any] = json.loads(message)
        return document


@contextmanager
def chromium(binary: Path) -> Iterator[DevTools]:
    commands_read, commands_write = os.pipe()  # we write, Chromium reads on fd 3
    replies_read, replies_write = os.pipe()  # Chromium writes on fd 4, we read
    # Chromium's helper processes can still be writing the profile as it is removed (seen
    # under load in CI: `Directory not empty: 'Default'`); the whole group is killed first,
    # and a straggler's last file must not fail the test that used the browser.
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:

        def wire_fds() -> None:
            # Through fresh high descriptors first: a pipe end may itself be fd 3 or 4.
            command_end, reply_end = os.dup(commands_read), os.dup(replies_write)
            os.dup2(command_end, 3)
            os.dup2(reply_end, 4)

        process = subprocess.Popen(
            [str(binary), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4),  # kept open past preexec_fn, which runs before the fd sweep
            preexec_fn=wire_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: renderers and helpers too
        )
        os.close(commands_read)
        os.close(replies_write)
        try:
            yield DevTools(commands_write, replies_read)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            os.close(commands_write)


def visit(binary: Path, url: str, width: int = 1280, height: int = 1400) -> PageVisit:
    """Load `url` offline, record every request, read its text and take a screenshot."""
    seen = PageVisit()
    with chromium(binary) as browser:
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Network.enable", session)
        browser.call(
            "Network.emulateNetworkConditions",
            session,
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        browser.call("Page.enable", session)
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.call("Page.navigate", session, url=url)
        browser.wait_for("Page.loadEventFired")
        seen.text = browser.call(
            "Runtime.evaluate", session, expression="document.body.innerText", returnByValue=True
        )["result"]["value"]
        shot = browser.call("Page.captureScreenshot", session, format="png")
        seen.screenshot = base64.b64decode(shot["data"])
        seen.requests = [
            event["params"]["request"]["url"]
            for event in browser.events
            if event.get("method") == "Network.requestWillBeSent"
        ]
    return seen
