"""A minimal HTTP CONNECT proxy on loopback that records the tunnels it opened (test-only).

An optional `route` maps a requested host to another address: that is how a test sends a
national cloud's real hostnames to the local simulator while the collector still resolves,
verifies (TLS SNI and certificate names) and requests those hostnames.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Callable
from types import TracebackType


class _Handler(socketserver.StreamRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        request_line = self.rfile.readline().decode("latin-1").strip()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        method, target, _ = request_line.split(" ", 2)
        if method != "CONNECT":
            self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            return
        host, port = target.rsplit(":", 1)
        self.server.tunnels.append(target)
        upstream = socket.create_connection(self.server.route(host, int(port)))
        self.wfile.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        self.wfile.flush()
        sockets = [self.connection, upstream]
        while True:
            readable, _, _ = select.select(sockets, [], [], 30)
            if not readable:
                break
            for source in readable:
                data = source.recv(65536)
                if not data:
                    upstream.close()
                    return
                (upstream if source is self.connection else self.connection).sendall(data)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    tunnels: list[str]
    route: Callable[[str, int], tuple[str, int]]


class ConnectProxy:
    """`with ConnectProxy() as proxy:` → `proxy.url`, `proxy.tunnels`."""

    def __init__(self, route: Callable[[str, int], tuple[str, int]] | None = None) -> None:
        self._route = route or (lambda host, port: (host, port))

    def __enter__(self) -> ConnectProxy:
        self._server = _ProxyServer(("127.0.0.1", 0), _Handler)
        self._server.tunnels = []
        self._server.route = self._route
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def tunnels(self) -> list[str]:
        return self._server.tunnels

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
