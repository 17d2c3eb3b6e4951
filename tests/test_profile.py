"""profiles/microsoft-cloud-posture.yaml on packs the real epack made from the simulator estate.

The pass/fail lists are worked out by hand from the estate (the figures are pinned by the
metric tests named beside them) against the thresholds of the published compliance-mapping
tables. The profile is evaluated with tests/profile_eval.py, a reading of
epack-tool-validate's documented semantics (the tool itself is not on the Go module proxy;
see docs/examples.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.epack_tools import console_script, make_pack, tool
from tests.profile_eval import evaluate
from tests.runner import REPO, base_config
from tests.simulator import Simulator
from tests.tenants.azure_estate import S1, S2, azure_estate
from tests.tenants.entra_tenant import entra_tenant

PROFILE = REPO / "profiles" / "microsoft-cloud-posture.yaml"

#: The Entra tenant, the same in both packs (figures from tests/test_entra_metrics.py).
IDENTITY = {
    "IDP-MFA-COVERAGE": "fail",  # 4 of 5 enabled members MFA-registered: 80 < 100
    "IDP-PHISHING-RESISTANT": "fail",  # 2 of 5 with FIDO2 or Windows Hello: 40 < 50
    "IDP-SESSION-LIFETIME": "fail",  # no sign-in frequency control: Entra's 90 days, 129600
    "IDP-IDLE-TIMEOUT": "fail",  # the activity-based timeout policy's 61 minutes > 30
    "IDP-ACCOUNT-REVIEW": "pass",  # inactive_pct is present (56)
}

#: S1 alone (tests/test_azure_metrics.py): the busy subscription.
S1_ONLY = {
    **IDENTITY,
    "CLOUD-AUDIT-LOGGING": "pass",  # a diagnostic setting exports the Administrative log
    "CLOUD-AUDIT-LOGGING-WIDE": "pass",  # the Activity Log is subscription-wide
    "CLOUD-DEFAULT-DENY-SSH": "fail",  # nsg1 of 4 allows 22 from the internet: 25
    "CLOUD-DEFAULT-DENY-RDP": "fail",  # one of 4 NSGs allows 3389 from the internet: 25
    "CLOUD-BACKUP-RETENTION": "pass",  # the shortest retention of its policies is 7 days
    "CLOUD-VULN-SCANNING": "pass",  # Defender for Servers is on the Standard tier
    "CLOUD-ROOT-MFA": "pass",  # the one Global Administrator is MFA-registered
    "CLOUD-IAM-MFA": "fail",  # the tenant-wide 80, repeated per subscription
    "CLOUD-STORAGE-ENCRYPTION": "fail",  # sa1 and sa2 of 4 encrypt at rest: 50 < 100
}

#: S1 and the empty S2: every cloud condition must hold for every subscription, and a
#: subscription whose artifact omits the field fails it (the validator's partial presence).
S1_AND_S2 = S1_ONLY | {
    "CLOUD-AUDIT-LOGGING": "fail",  # S2 exports no Activity Log: false
    "CLOUD-AUDIT-LOGGING-WIDE": "fail",  # the same value for S2
    "CLOUD-BACKUP-RETENTION": "fail",  # S2 has no vaults: the field is omitted
    "CLOUD-VULN-SCANNING": "fail",  # S2's Defender for Servers is on the Free tier
}


@pytest.mark.parametrize(
    ("subscriptions", "expected"),
    [([S1], S1_ONLY), ([S1, S2], S1_AND_S2)],
    ids=["S1", "S1+S2"],
)
def test_profile_outcomes_on_a_real_pack(
    subscriptions: list[str], expected: dict[str, str]
) -> None:
    epack = tool("EPACK_BIN")
    scenario = entra_tenant()
    azure_estate(scenario)
    with Simulator(scenario) as sim:
        pack = make_pack(
            epack, console_script(), sim, base_config(sim, subscription_ids=subscriptions)
        )
    try:
        assert evaluate(PROFILE, pack) == expected
    finally:
        shutil.rmtree(pack.parent)


def test_profile_encodes_both_published_tables() -> None:
    """Five idp-posture rows and eight cloud-posture rows (SSH and RDP are one row there)."""
    import yaml

    requirements = yaml.safe_load(PROFILE.read_text())["requirements"]
    types = [r["satisfied_by"]["any_of"][0]["type"] for r in requirements]
    assert types.count("evidencepack/idp-posture@v1") == 5
    assert types.count("evidencepack/cloud-posture@v1") == 9
    assert len({r["id"] for r in requirements}) == len(requirements) == 14


def test_documented_profile_is_the_shipped_one() -> None:
    assert "profiles/microsoft-cloud-posture.yaml" in (REPO / "docs" / "examples.md").read_text()
    assert Path(PROFILE).is_file()
