"""Property: any JSON document either validates or fails with a ConfigError (exit 2) message."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.core.config import KNOWN_KEYS, Config, validate_config
from collector.core.errors import ConfigError

GUID = "11111111-1111-1111-1111-111111111111"
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
plausible = st.sampled_from(
    [
        GUID,
        f" {GUID} ",
        "common",
        "",
        "custom",
        "AzureCloud",
        "trust",
        "client_secret",
        "https://a.example",
        "http://a.example",
        [GUID],
        [],
        600,
        59,
        True,
        None,
    ]
)
configs = st.dictionaries(
    st.sampled_from(sorted(KNOWN_KEYS)) | st.text(max_size=12), plausible | json_values, max_size=10
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(configs, json_values))
def test_any_document_validates_or_names_the_problem(document: Any) -> None:
    try:
        config = validate_config(document)
    except ConfigError as error:
        assert error.exit_code == 2
        assert error.message and "\n" not in error.message
    else:
        assert isinstance(config, Config)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["authority", "graph", "resource_manager", "x"]), plausible | json_values
    )
)
def test_endpoint_fuzz(endpoints: dict[str, Any]) -> None:
    document = {
        "tenant_id": GUID,
        "client_id": GUID,
        "auth_mode": "oidc",
        "subscription_ids": [],
        "azure_environment": "custom",
        "endpoints": endpoints,
    }
    try:
        config = validate_config(document)
    except ConfigError as error:
        assert error.message.startswith("endpoints")
    else:
        assert config.cloud.graph.startswith("https://")
