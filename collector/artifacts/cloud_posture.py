"""`artifacts/microsoft-cloud.cloud-posture.json`, `evidencepack/cloud-posture@v1` (§5.4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from collector.artifacts import drop_nulls

PATH = "artifacts/microsoft-cloud.cloud-posture.json"
SCHEMA = "evidencepack/cloud-posture@v1"


def _account(
    account: dict[str, Any],
    entra: dict[str, Any],
    root_mfa: bool | None,
    encryption_at_rest: dict[str, int | None],
) -> dict[str, Any]:
    logging_exported = account["logging"]["activity_log_administrative_exported"]
    blocks = {
        "iam": drop_nulls(
            {
                "mfa_coverage_pct": entra["posture"]["mfa_coverage"],
                "root_mfa_enabled": root_mfa,
                "root_access_protected": root_mfa,
                "access_key_rotation_compliant_pct": account["storage"][
                    "key_rotation_compliant_pct"
                ],
            }
        ),
        "storage": drop_nulls(
            {
                "encryption_pct": encryption_at_rest.get(account["account_id"]),
                "public_access_blocked_pct": account["storage"]["public_access_blocked_pct"],
            }
        ),
        "logging": drop_nulls(
            {
                "cloudtrail_enabled": logging_exported,
                "cloudtrail_multiregion": logging_exported,
                "flow_logs_pct": account["network"]["flow_logs_pct"],
            }
        ),
        "backup": drop_nulls({"retention_days_min": account["backup"]["retention_days_min"]}),
        "network": drop_nulls(
            {
                "ssh_open_to_world_pct": account["network"]["ssh_open_to_world_pct"],
                "rdp_open_to_world_pct": account["network"]["rdp_open_to_world_pct"],
            }
        ),
        "vuln_scanning": drop_nulls(
            {
                "enabled": account["defender"]["servers_plan_enabled"],
                "unpatched_pct": account["defender"]["unpatched_pct"],
            }
        ),
    }
    document: dict[str, Any] = {"account_id": account["account_id"]}
    document.update({name: block for name, block in blocks.items() if block})
    return document


def build(
    azure: dict[str, Any] | None,
    entra: dict[str, Any],
    root_mfa: bool | None,
    encryption_at_rest: dict[str, int | None],
    expected: int = 0,
    uncollected: Sequence[tuple[str, str]] = (),
) -> dict[str, Any] | None:
    """Derived from the finished vendor artifacts plus the two unserialized values RA and EAR.

    Subscriptions that could not be read follow as stubs with their `collection_error_code`,
    so a check over every account cannot pass over one silently (v1.1 §V.9); stubs alone
    never make the artifact appear.
    """
    if azure is None or not azure["accounts"]:
        return None
    return {
        "schema_version": "1.0.0",
        "collected_at": azure["collected_at"],
        "provider": "azure",
        "accounts_expected": expected,
        "accounts": [
            *(_account(a, entra, root_mfa, encryption_at_rest) for a in azure["accounts"]),
            *({"account_id": sub, "collection_error_code": code} for sub, code in uncollected),
        ],
    }
