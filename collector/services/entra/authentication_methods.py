"""G16 `/policies/authenticationMethodsPolicy`: which sign-in methods the tenant allows (§V.5).

Weak methods (SMS, voice, email OTP) left enabled are what phishing campaigns use; the block
says which are on, by Microsoft's own method IDs, and nothing else. External methods have
generated IDs and are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from collector.clients.graph import GraphQuery, GraphReader
from collector.core import json_paths as jp

QUERY = GraphQuery(lambda client: client.policies.authentication_methods_policy)
KNOWN_METHODS: Final = {
    method.lower(): method
    for method in (
        "Fido2",
        "MicrosoftAuthenticator",
        "Sms",
        "Voice",
        "Email",
        "TemporaryAccessPass",
        "SoftwareOath",
        "HardwareOath",
        "X509Certificate",
        "QRCodePin",
    )
}


@dataclass(frozen=True)
class AuthenticationMethods:
    """The `authentication_methods` block of §V.5, in its key order."""

    methods_enabled: list[str]
    other_methods_enabled_count: int
    sms_enabled: bool
    voice_enabled: bool
    email_otp_enabled: bool
    fido2_enabled: bool
    authenticator_enabled: bool
    temporary_access_pass_enabled: bool
    registration_campaign_enabled: bool
    policy_migration_complete: bool | None


def reduce(document: dict[str, Any]) -> AuthenticationMethods:
    configurations = jp.objects(document, "authenticationMethodConfigurations")
    enabled = [c for c in configurations if jp.lower(c, "state") == "enabled"]
    known = {
        KNOWN_METHODS[jp.lower(c, "id")] for c in enabled if jp.lower(c, "id") in KNOWN_METHODS
    }

    def on(method: str) -> bool:
        """on(id): the first configuration with that id (ci) is enabled."""
        for configuration in configurations:
            if jp.lower(configuration, "id") == method.lower():
                return jp.lower(configuration, "state") == "enabled"
        return False

    migration = document.get("policyMigrationState")
    return AuthenticationMethods(
        methods_enabled=sorted(known),
        other_methods_enabled_count=sum(
            1 for c in enabled if jp.lower(c, "id") not in KNOWN_METHODS
        ),
        sms_enabled=on("Sms"),
        voice_enabled=on("Voice"),
        email_otp_enabled=on("Email"),
        fido2_enabled=on("Fido2"),
        authenticator_enabled=on("MicrosoftAuthenticator"),
        temporary_access_pass_enabled=on("TemporaryAccessPass"),
        registration_campaign_enabled=jp.lower(
            document,
            "registrationEnforcement",
            "authenticationMethodsRegistrationCampaign",
            "state",
        )
        == "enabled",
        policy_migration_complete=(
            None
            if "policyMigrationState" not in document
            else isinstance(migration, str) and migration.lower() == "migrationcomplete"
        ),
    )


async def fetch(reader: GraphReader) -> AuthenticationMethods:
    return reduce(await reader.get_object(QUERY))
