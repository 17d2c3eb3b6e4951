"""Contract §6.6: route sanitization and stderr free-text scrubbing."""

from __future__ import annotations

import pytest

from collector.core.sanitize import sanitize_route, scrub_free_text


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        ("/users", "%24select=id,accountEnabled&%24top=999", "/users?$select&$top"),
        ("/users", "$select=id&$top=999&$skiptoken=abc", "/users?$select&$skiptoken&$top"),
        ("/organization", None, "/organization"),
        (
            "/subscriptions/abc",
            "api-version=2020-01-01",
            "/subscriptions/[subscription_id]?api-version",
        ),
        (
            "/subscriptions/s/resourceGroups/rg-secret/providers/Microsoft.Sql/servers/srv-secret/databases/db-secret/transparentDataEncryption/current",
            "api-version=1",
            "/subscriptions/[subscription_id]/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/databases/[databases]/transparentDataEncryption/[transparentdataencryption]?api-version",
        ),
        (
            "/subscriptions/s/providers/Microsoft.Security/secureScores/ascScore",
            "api-version=1",
            "/subscriptions/[subscription_id]/providers/Microsoft.Security/secureScores/[securescores]?api-version",
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/x/providers/Microsoft.Insights/diagnosticSettings",
            "api-version=1&name%20with%20space=1&a=1&a=2",
            "/subscriptions/[subscription_id]/resourceGroups/[resource_group]/providers/Microsoft.Sql/servers/[servers]/providers/Microsoft.Insights/diagnosticSettings?[param]&a&api-version",
        ),
    ],
)
def test_routes_keep_structure_only(path: str, query: str | None, expected: str) -> None:
    assert sanitize_route(path, query) == expected


def test_free_text_scrubbing_order_and_limits() -> None:
    tenant = "11111111-1111-1111-1111-111111111111"
    other = "99999999-8888-7777-6666-555555555555"
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoxMjM0NTYifQ.c2lnbmF0dXJlMTIzNDU2"
    text = (
        f"AADSTS700016: Application with identifier 'secret-app' was not found in {tenant}; "
        f"trace {other}; key s3cr3t-value; token {jwt}; Bearer abc.def; mail ann@contoso.example"
    )
    scrubbed = scrub_free_text(text, ["s3cr3t-value"], [tenant])
    assert scrubbed == (
        f"AADSTS700016: Application with identifier '[redacted]' was not found in {tenant}; "
        "trace [id]; key [REDACTED]; token [REDACTED_JWT]; Bearer [REDACTED] mail [email]"
    )
    assert len(scrub_free_text("x" * 1000, [], [])) == 300
