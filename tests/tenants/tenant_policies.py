"""The tenant policies G15–G17 as Microsoft answers them, with a value for every field of
§V.5, §V.6 and the idle timeout of §V.9 (arithmetic in tests/test_entra_enforcement.py).
Shared by the v1.0 hand-built tenant, so its runs stay complete."""

from __future__ import annotations

import json
from typing import Any, Final

from tests.simulator import Scenario

# Names and other customer-authored text: canaries that must never reach any output.
CANARIES: Final = {
    "policy": "CANARY-ca-policy-name-5c1d",
    "group": "CANARY-group-name-8e2f",
    "timeout": "CANARY-timeout-policy-name-3b7a",
    "method": "CANARY-external-method-name-9d4e",
    "authorization": "CANARY-authorization-policy-name-1f6c",
}


def authorization_policy() -> dict[str, Any]:
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authorizationPolicy/$entity",
        "id": "authorizationPolicy",
        "displayName": CANARIES["authorization"],
        "description": CANARIES["authorization"],
        "allowInvitesFrom": "adminsAndGuestInviters",
        "allowedToSignUpEmailBasedSubscriptions": True,
        "allowedToUseSSPR": True,
        "allowEmailVerifiedUsersToJoinOrganization": False,
        "blockMsolPowerShell": True,
        "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": False,
            "allowedToCreateSecurityGroups": True,
            "allowedToCreateTenants": False,
            "allowedToReadOtherUsers": True,
            "permissionGrantPoliciesAssigned": [
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions",
                "managePermissionGrantsForSelf.microsoft-user-default-low",
            ],
        },
    }


def authentication_methods_policy() -> dict[str, Any]:
    def method(kind: str, method_id: str, state: str, **extra: Any) -> dict[str, Any]:
        odata = f"#microsoft.graph.{kind}AuthenticationMethodConfiguration"
        return {"@odata.type": odata, "id": method_id, "state": state, **extra}

    return {
        "id": "authenticationMethodsPolicy",
        "displayName": "Authentication Methods Policy",
        "policyVersion": "1.5",
        "policyMigrationState": "migrationInProgress",
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "snoozeDurationInDays": 1,
                "state": "enabled",
                "excludeTargets": [],
                "includeTargets": [
                    {
                        "id": "all_users",
                        "targetType": "group",
                        "targetedAuthenticationMethod": "microsoftAuthenticator",
                    }
                ],
            }
        },
        "authenticationMethodConfigurations": [
            method("fido2", "Fido2", "enabled"),
            method("microsoftAuthenticator", "MicrosoftAuthenticator", "enabled"),
            method("sms", "Sms", "enabled"),
            method("voice", "Voice", "disabled"),
            method("email", "Email", "Enabled"),  # state is compared ci
            method("temporaryAccessPass", "TemporaryAccessPass", "disabled"),
            method("softwareOath", "softwareOath", "enabled"),  # listed as SoftwareOath
            method("x509Certificate", "X509Certificate", "disabled"),
            method(
                "external",
                "7b1c2d3e-0000-4000-8000-00000000ee01",
                "enabled",
                displayName=CANARIES["method"],
                appId="7b1c2d3e-0000-4000-8000-00000000ee02",
            ),
        ],
    }


def activity_timeout_policies() -> list[dict[str, Any]]:
    def definition(*entries: tuple[str, str]) -> list[str]:
        policies = [{"ApplicationId": app, "WebSessionIdleTimeout": idle} for app, idle in entries]
        document = {"ActivityBasedTimeoutPolicy": {"Version": 1, "ApplicationPolicies": policies}}
        return [json.dumps(document)]

    return [
        {
            "id": "timeout-1",
            "displayName": CANARIES["timeout"],
            "isOrganizationDefault": True,
            "definition": definition(
                ("default", "01:00:30"), ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "00:05:00")
            ),
        },
        {
            "id": "timeout-2",
            "displayName": CANARIES["timeout"],
            "isOrganizationDefault": False,
            "definition": definition(("default", "10:00:00")),
        },
    ]


def install_tenant_policies(scenario: Scenario) -> None:
    """G15–G17 as Microsoft answers them (also used by the v1.0 hand-built tenant)."""
    scenario.graph_objects["/policies/authorizationPolicy"] = authorization_policy()
    scenario.graph_objects["/policies/authenticationMethodsPolicy"] = (
        authentication_methods_policy()
    )
    scenario.graph_collections["/policies/activityBasedTimeoutPolicies"] = (
        activity_timeout_policies()
    )
