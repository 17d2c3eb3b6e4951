"""The guarded transport: egress allowlist, retry timing rules and the body cap (§7.1)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from collector.transport.http import (
    EgressRefused,
    EgressRule,
    GuardedTransport,
    _bypass_proxy,
    build_http_client,
    build_ssl_context,
    retry_delay,
)


def client() -> httpx.AsyncClient:
    rules = [
        EgressRule("https://graph.example"),
        EgressRule(
            "https://login.example", post_path_suffixes=("/oauth2/v2.0/token",), allow_get=False
        ),
    ]
    return build_http_client(GuardedTransport(rules, build_ssl_context({}), {}))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "http://graph.example/v1.0/users"),  # plain http
        ("GET", "https://evil.example/v1.0/users"),  # another host
        ("GET", "https://graph.example:8443/v1.0/users"),  # another port
        ("DELETE", "https://graph.example/v1.0/users/x"),  # a write
        ("POST", "https://graph.example/v1.0/users"),  # POST outside the read-only list
        ("GET", "https://login.example/tenant/oauth2/v2.0/token"),
    ],
)
def test_refuses_before_sending(method: str, url: str) -> None:
    async def attempt() -> None:
        async with client() as http:
            await http.request(method, url)

    with pytest.raises(EgressRefused):
        asyncio.run(attempt())


def test_retry_after_rules() -> None:
    assert retry_delay(1, "3", jitter=False) == 3.0
    assert retry_delay(1, "1.5", jitter=False) == 1.5
    assert retry_delay(1, "600", jitter=False) == 60.0  # capped
    assert retry_delay(3, "-1", jitter=False) == 4.0  # negative counts as absent → 2^(3-1)
    assert retry_delay(4, "soon", jitter=False) == 8.0
    assert retry_delay(2, "Wed, 21 Oct 2015 07:28:00 GMT", jitter=False) == 0.0  # a past date
    assert 1.0 <= retry_delay(1, None) <= 1.2  # jitter only ever lengthens computed backoff


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "bypass"),
    [
        ("graph.microsoft.com", None, "*", True),
        ("graph.microsoft.com", None, ".microsoft.com", True),
        ("graph.microsoft.com", None, "microsoft.com", True),
        ("notmicrosoft.com", None, "microsoft.com", False),
        ("127.0.0.1", 8443, "127.0.0.1:9000", False),
        ("127.0.0.1", 8443, "localhost,127.0.0.1", True),
    ],
)
def test_no_proxy(host: str, port: int | None, no_proxy: str, bypass: bool) -> None:
    assert _bypass_proxy(host, port, {"NO_PROXY": no_proxy}) is bypass
