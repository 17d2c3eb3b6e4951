"""The normalized schemas accept what the published evidence-pack definitions allow.

v1.1 §V.1: `schemas/idp-posture.v1.json` and `cloud-posture.v1.json` may be stricter on the
types this product emits (tests/conftest.py checks every emitted number is an integer), but
must accept the published spec's own example documents and every field it defines.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from tests.conftest import SCHEMAS

# The example of evidence-pack spec/v1/schemas/idp-posture.md §3 (an Okta tenant, floats).
IDP_POSTURE_EXAMPLE: dict[str, Any] = {
    "schema_version": "1.0.0",
    "collected_at": "2026-03-18T10:00:00Z",
    "provider": "okta",
    "org_domain": "acme.okta.com",
    "user_security": {
        "mfa_coverage_pct": 98.5,
        "mfa_phishing_resistant_pct": 45.0,
        "inactive_pct": 2.3,
        "locked_out_pct": 0.5,
    },
    "app_security": {"sso_coverage_pct": 85.0, "provisioning_enabled_pct": 60.0},
    "policy": {"mfa_required": True, "session_lifetime_max_min": 480, "idle_timeout_max_min": 30},
}


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name).read_text()))


def test_idp_posture_schema_accepts_the_published_example() -> None:
    validator("idp-posture.v1.json").validate(IDP_POSTURE_EXAMPLE)


def test_idp_posture_schema_accepts_only_the_published_required_keys() -> None:
    minimal = {k: IDP_POSTURE_EXAMPLE[k] for k in ("schema_version", "collected_at", "provider")}
    validator("idp-posture.v1.json").validate(minimal)


@pytest.mark.parametrize(
    "change",
    [
        {"provider": "entra-id"},  # not a provider the spec names
        {"user_security": {"mfa_coverage_pct": 101}},
        {"policy": {"session_lifetime_max_min": -1}},
        {"device_access": {"managed_device_required": "yes"}},
        {"unexpected": 1},
    ],
)
def test_idp_posture_schema_still_rejects_what_the_spec_forbids(change: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validator("idp-posture.v1.json").validate({**IDP_POSTURE_EXAMPLE, **change})
