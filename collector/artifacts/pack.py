"""The four artifacts of a run, in envelope order, with their emission rules (§4.1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collector.artifacts import azure as azure_artifact
from collector.artifacts import cloud_posture, conditional_access, idp_posture
from collector.artifacts import entra as entra_artifact
from collector.collection.results import RunResults


@dataclass(frozen=True)
class Artifact:
    path: str
    data: dict[str, Any]
    schema: str | None = None


def assemble(run: RunResults) -> list[Artifact]:
    """Entra always; idp-posture, azure and cloud-posture when their rules say so."""
    entra = entra_artifact.build(run)
    artifacts = [Artifact(entra_artifact.PATH, entra)]
    idp = idp_posture.build(
        entra,
        idle_timeout=run.entra.value("G17"),
        managed_device_required=conditional_access.managed_device_required(run.entra),
    )
    if idp is not None:
        artifacts.append(Artifact(idp_posture.PATH, idp, idp_posture.SCHEMA))
    azure = azure_artifact.build(run)
    if azure is not None:
        artifacts.append(Artifact(azure_artifact.PATH, azure))
        at_rest = {
            a.subscription_id: azure_artifact.encryption_at_rest_pct(a) for a in run.accounts
        }
        cloud = cloud_posture.build(
            azure,
            entra,
            root_mfa=entra_artifact.root_admin_mfa(run.entra),
            encryption_at_rest=at_rest,
            expected=run.subscriptions_expected,
            uncollected=run.uncollected,
        )
        if cloud is not None:
            artifacts.append(Artifact(cloud_posture.PATH, cloud, cloud_posture.SCHEMA))
    return artifacts
