"""The normalized schemas accept what the published evidence-pack definitions allow, and the
cloud-posture stub codes (v1.1 §V.9).

v1.1 §V.1: `schemas/idp-posture.v1.json` and `cloud-posture.v1.json` may be stricter on the
types this product emits (tests/conftest.py checks every emitted number is an integer), but
must accept the published spec's own example documents and every field it defines.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from collector.collection.run import collection_error_code
from collector.core.outcomes import Failure, Kind
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


# The example of evidence-pack spec/v1/schemas/cloud-posture.md §3 (an AWS account).
CLOUD_POSTURE_EXAMPLE: dict[str, Any] = {
    "schema_version": "1.0.0",
    "collected_at": "2026-03-18T10:00:00Z",
    "provider": "aws",
    "accounts": [
        {
            "account_id": "123456789012",
            "iam": {
                "mfa_coverage_pct": 100,
                "root_mfa_enabled": True,
                "access_key_rotation_compliant_pct": 95.0,
            },
            "storage": {"encryption_pct": 100, "public_access_blocked_pct": 100},
            "logging": {
                "cloudtrail_enabled": True,
                "cloudtrail_multiregion": True,
                "flow_logs_pct": 80.0,
            },
            "network": {"ssh_open_to_world_pct": 0, "rdp_open_to_world_pct": 0},
            "backup": {"retention_days_min": 7},
            "vuln_scanning": {"enabled": True, "unpatched_pct": 5.0},
        }
    ],
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


def test_cloud_posture_schema_accepts_the_published_example_and_stub_accounts() -> None:
    validator("cloud-posture.v1.json").validate(CLOUD_POSTURE_EXAMPLE)
    with_stub = {
        **CLOUD_POSTURE_EXAMPLE,
        "accounts_expected": 2,
        "accounts": [
            *CLOUD_POSTURE_EXAMPLE["accounts"],
            {
                "account_id": "66666666-6666-6666-6666-666666666666",
                "collection_error_code": "throttled",
            },
        ],
    }
    validator("cloud-posture.v1.json").validate(with_stub)


@pytest.mark.parametrize(
    "account",
    [
        {"account_id": "s", "collection_error_code": "denied"},  # not one of the five codes
        {"account_id": "s", "collection_error_code": "error", "iam": {"mfa_coverage_pct": 1}},
        {"account_id": "s", "logging": {"flow_logs_pct": 100.5}},
        {"iam": {}},  # no account_id
    ],
)
def test_cloud_posture_schema_rejects_what_the_spec_forbids(account: dict[str, Any]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validator("cloud-posture.v1.json").validate(
            {**CLOUD_POSTURE_EXAMPLE, "accounts": [account]}
        )


@pytest.mark.parametrize(
    ("probe", "code"),
    [
        (
            Failure.http("permission", "arm", "/subscriptions/[subscription_id]", 403, "X"),
            "permission_denied",
        ),
        (
            Failure.http("not_found", "arm", "/subscriptions/[subscription_id]", 404, None),
            "not_found",
        ),
        (Failure.http("error", "arm", "/subscriptions/[subscription_id]", 429, None), "throttled"),
        (Failure.http("error", "arm", "/subscriptions/[subscription_id]", 500, None), "error"),
        (Failure.of(Kind.TRANSPORT, "arm", "/subscriptions/[subscription_id]", "timeout"), "error"),
        (Failure.deadline(), "deadline"),
        (None, "deadline"),  # never started: the deadline came first
    ],
)
def test_each_uncollected_subscription_gets_its_code(probe: Failure | None, code: str) -> None:
    assert collection_error_code(probe) == code
