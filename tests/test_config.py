"""Contract §2.2–§2.5: every validation rule, in order, with its exact message."""

from __future__ import annotations

from typing import Any

import pytest

from collector.core.config import validate_config
from collector.core.errors import ConfigError

T = "11111111-1111-1111-1111-111111111111"
C = "22222222-2222-2222-2222-222222222222"
S1 = "33333333-3333-3333-3333-333333333333"
EP = {
    "authority": "https://a.example",
    "graph": "https://g.example",
    "resource_manager": "https://m.example",
}


EA_SHAPE = "emergency_access_accounts must be a list of object ID strings"
EA_INDEX = "emergency_access_accounts[{}] must be a GUID"
EA_MAX = "emergency_access_accounts allows at most 20 accounts"


def _guid(n: int) -> str:
    return f"44444444-0000-0000-0000-{n:012d}"


def good(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "tenant_id": T,
        "client_id": C,
        "auth_mode": "client_secret",
        "subscription_ids": [],
    }
    for key, value in changes.items():
        if value is ...:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "config must be a JSON object"),
        (good(tenant_id=...), "tenant_id is required"),
        (good(tenant_id="  "), "tenant_id is required"),
        (good(tenant_id=5), "tenant_id must be a string"),
        (good(tenant_id=" Common "), 'tenant_id must name one tenant; "common" is not allowed'),
        (good(tenant_id="consumers"), 'tenant_id must name one tenant; "consumers" is not allowed'),
        (good(tenant_id="{" + T + "}"), "tenant_id must be a GUID"),
        (good(client_id=None), "client_id is required"),
        (good(client_id=7), "client_id must be a string"),
        (good(client_id="abc"), "client_id must be a GUID"),
        (good(auth_mode=...), "auth_mode is required"),
        (good(auth_mode=True), "auth_mode must be a string"),
        (
            good(auth_mode="password"),
            "auth_mode must be one of client_secret, oidc, workload_identity, certificate, managed_identity",
        ),
        (
            good(subscription_ids=...),
            "subscription_ids is required; use [] to collect Entra ID only",
        ),
        (
            good(subscription_ids=None),
            "subscription_ids is required; use [] to collect Entra ID only",
        ),
        (good(subscription_ids=S1), "subscription_ids must be a list of strings"),
        (good(subscription_ids=[S1, 5]), "subscription_ids[1] must be a string"),
        (good(subscription_ids=[S1, "nope"]), "subscription_ids[1] must be a GUID"),
        (good(level=3), "level must be a string"),
        (good(azure_environment=1), "azure_environment must be a string"),
        (
            good(azure_environment="AzureGermanCloud"),
            "azure_environment must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud, custom",
        ),
        (good(endpoints=EP), "endpoints is only allowed when azure_environment is custom"),
        (
            good(azure_environment="custom"),
            "endpoints is required when azure_environment is custom",
        ),
        (good(azure_environment="custom", endpoints=[]), "endpoints must be an object"),
        (
            good(azure_environment="custom", endpoints={**EP, "zz": 1, "b\x01": 2}),
            'endpoints has unknown key "b?"',
        ),
        (
            good(
                azure_environment="custom",
                endpoints={"authority": EP["authority"], "graph": EP["graph"]},
            ),
            "endpoints.resource_manager is required",
        ),
        (
            good(azure_environment="custom", endpoints={**EP, "graph": "http://g.example"}),
            "endpoints.graph must be an absolute https URL with no path, query, fragment or user info",
        ),
        (
            good(azure_environment="custom", endpoints={**EP, "authority": "https://a.example/x"}),
            "endpoints.authority must be an absolute https URL with no path, query, fragment or user info",
        ),
        (
            good(azure_environment="custom", endpoints={**EP, "authority": "https://u@a.example"}),
            "endpoints.authority must be an absolute https URL with no path, query, fragment or user info",
        ),
        (
            good(azure_environment="custom", endpoints={**EP, "authority": "https://a.example?"}),
            "endpoints.authority must be an absolute https URL with no path, query, fragment or user info",
        ),
        (good(deadline_seconds=59), "deadline_seconds must be an integer between 60 and 3600"),
        (good(deadline_seconds=True), "deadline_seconds must be an integer between 60 and 3600"),
        (good(deadline_seconds=600.5), "deadline_seconds must be an integer between 60 and 3600"),
        (good(deadline_seconds="600"), "deadline_seconds must be an integer between 60 and 3600"),
        (good(emergency_access_accounts=T), EA_SHAPE),  # a string is not a list
        (good(emergency_access_accounts={"id": T}), EA_SHAPE),
        (good(emergency_access_accounts=[T, 7]), EA_SHAPE),
        (good(emergency_access_accounts=[T, None]), EA_SHAPE),
        (good(emergency_access_accounts=[T, "alice@contoso.example"]), EA_INDEX.format(1)),
        (good(emergency_access_accounts=["{" + T + "}"]), EA_INDEX.format(0)),
        (good(emergency_access_accounts=[_guid(n) for n in range(21)]), EA_MAX),
        # after subscription_ids (rule 14), before everything after it
        (
            good(subscription_ids=["x"], emergency_access_accounts=5),
            "subscription_ids[0] must be a GUID",
        ),
        (good(emergency_access_accounts=5, level=3), EA_SHAPE),
    ],
)
def test_each_rule_reports_its_message(doc: Any, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        validate_config(doc)
    assert raised.value.message == message
    assert raised.value.exit_code == 2


def test_rules_apply_in_contract_order() -> None:
    # Both tenant_id and auth_mode are wrong: the tenant rule (#2) comes first.
    with pytest.raises(ConfigError, match="tenant_id is required"):
        validate_config({"auth_mode": 5})


def test_managed_identity_needs_no_client_id() -> None:
    config = validate_config(good(client_id=..., auth_mode=" Managed_Identity "))
    assert config.client_id is None
    assert config.auth_mode == "managed_identity"


def test_values_are_trimmed_and_subscriptions_deduplicated_case_insensitively() -> None:
    upper = S1.upper()
    config = validate_config(good(tenant_id=f" {T} ", subscription_ids=[f" {upper} ", S1, C]))
    assert config.tenant_id == T
    assert config.subscription_ids == (upper, C)  # first spelling kept, order preserved


def test_unknown_level_downgrades_with_sanitized_warning() -> None:
    config = validate_config(good(level=" Deep Scan! "))
    assert config.level == "trust"
    assert config.warnings == ('config: unknown level "Deep?Scan?"; collecting at trust',)


@pytest.mark.parametrize(
    ("value", "level"),
    [(None, "trust"), ("", "trust"), (" AUDIT ", "audit"), ("internal", "internal")],
)
def test_level_resolution(value: Any, level: str) -> None:
    assert validate_config(good(level=value)).level == level


def test_unknown_keys_give_one_sorted_warning_capped_at_twenty() -> None:
    extras = {f"k{i:02d}": 1 for i in range(22)}
    config = validate_config({**good(), **extras, "Tenant_ID": "x"})
    listed = ", ".join(["Tenant_ID"] + [f"k{i:02d}" for i in range(19)])
    assert config.warnings == (f"config: ignoring unknown keys: {listed}, … (+3 more)",)


def test_custom_endpoints_normalize_to_origins() -> None:
    config = validate_config(
        good(
            azure_environment="CUSTOM",
            endpoints={
                "authority": "HTTPS://Login.Example:8443/",
                "graph": "https://g.example",
                "resource_manager": "https://m.example/",
            },
        )
    )
    assert config.cloud.authority == "https://login.example:8443"
    assert config.cloud.graph_scope == "https://g.example/.default"
    assert config.cloud.token_endpoint(T) == f"https://login.example:8443/{T}/oauth2/v2.0/token"


@pytest.mark.parametrize(
    ("name", "graph", "arm", "audience"),
    [
        (
            "AzureCloud",
            "https://graph.microsoft.com",
            "https://management.azure.com",
            "api://AzureADTokenExchange",
        ),
        (
            "azureusgovernment",
            "https://graph.microsoft.us",
            "https://management.usgovcloudapi.net",
            "api://AzureADTokenExchangeUSGov",
        ),
        (
            "AzureChinaCloud",
            "https://microsoftgraph.chinacloudapi.cn",
            "https://management.chinacloudapi.cn",
            "api://AzureADTokenExchangeChina",
        ),
    ],
)
def test_named_clouds(name: str, graph: str, arm: str, audience: str) -> None:
    cloud = validate_config(good(azure_environment=name)).cloud
    assert (cloud.graph_base, cloud.resource_manager, cloud.oidc_audience) == (
        f"{graph}/v1.0",
        arm,
        audience,
    )


def test_deadline_accepts_integral_float() -> None:
    assert validate_config(good(deadline_seconds=600.0)).deadline_seconds == 600
    assert validate_config(good()).deadline_seconds == 540


def test_emergency_accounts_are_trimmed_lowered_and_deduplicated() -> None:
    config = validate_config(
        good(emergency_access_accounts=[f" {_guid(1).upper()} ", _guid(1), _guid(2)])
    )
    assert config.emergency_access_accounts == frozenset({_guid(1), _guid(2)})
    assert validate_config(good(emergency_access_accounts=None)).emergency_access_accounts == (
        frozenset()
    )
    # 20 distinct accounts pass, however many duplicates spell them
    twenty = [_guid(n) for n in range(20)] * 2
    assert (
        len(validate_config(good(emergency_access_accounts=twenty)).emergency_access_accounts) == 20
    )


def test_emergency_accounts_never_appear_in_a_config_repr_or_error() -> None:
    config = validate_config(good(emergency_access_accounts=[_guid(9)]))
    assert _guid(9) not in repr(config)
    with pytest.raises(ConfigError) as raised:
        validate_config(good(emergency_access_accounts=[_guid(9), "not-a-guid-CANARY"]))
    assert "CANARY" not in raised.value.message and _guid(9) not in raised.value.message
