"""A hand-built Entra tenant whose every metric was worked out on paper (see test_entra_metrics).

Users u1–u11, registration rows, CA policies, role assignments, eligibility schedules, service
principals and applications, each chosen to exercise one rule of contract §5.0–§5.1.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.simulator import Scenario
from tests.tenants.tenant_policies import install_tenant_policies

GA = "62e90394-69f5-4237-9190-012177145e10"
PRIV_ROLE_ADMIN = "e8611ab8-c189-46e8-94e1-60213ab1f814"
SECURITY_ADMIN = "194ae4cb-b126-40b2-bd5b-6091b380977d"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
EXCHANGE_ADMIN = "29232cdf-9323-42fd-ade2-1d097af3e4de"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
P1_PLAN = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"


def uid(n: int) -> str:
    return f"aaaaaaaa-0000-0000-0000-{n:012d}"


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _user(
    n: int, enabled: Any, user_type: Any, last_sign_in: str | None, **extra: Any
) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": uid(n),
        "accountEnabled": enabled,
        "userType": user_type,
        "displayName": f"Person {n}",
        "userPrincipalName": f"p{n}@contoso.example",
    }
    if last_sign_in is not None:
        user["signInActivity"] = {
            "lastSignInDateTime": last_sign_in,
            "lastNonInteractiveSignInDateTime": last_sign_in,
        }
    user.update(extra)
    return user


def entra_tenant(now: datetime | None = None) -> Scenario:
    now = now or datetime.now(UTC)
    recent = iso(now - timedelta(days=1))
    old = iso(now - timedelta(days=200))
    scenario = Scenario()
    scenario.graph_collections["/users"] = [
        _user(1, True, "Member", recent),
        _user(2, True, "Member", old),
        _user(3, True, "Member", None),
        _user(4, True, "Member", "0001-01-01T00:00:00Z"),
        _user(5, False, "Member", recent),
        _user(6, True, "Guest", recent),
        _user(7, True, "Guest", old),
        _user(8, False, "Guest", None),
        _user(9, True, None, recent),
        _user(10, True, "Member", recent),
        {"accountEnabled": True, "userType": "Member"},  # no id: counted in USERS only
    ]
    scenario.graph_page_caps["/users"] = 4  # three pages
    registration = [
        {
            "id": uid(1),
            "isMfaRegistered": True,
            "isSsprRegistered": True,
            "methodsRegistered": ["microsoftAuthenticatorPush", "fido2SecurityKey"],
        },
        {
            "id": uid(2),
            "isMfaRegistered": True,
            "isSsprRegistered": False,
            "methodsRegistered": ["mobilePhone"],
        },
        {
            "id": uid(3),
            "isMfaRegistered": True,
            "isSsprRegistered": True,
            "methodsRegistered": ["email", "securityQuestion", "SMS"],
        },
        {
            "id": uid(4),
            "isMfaRegistered": False,
            "methodsRegistered": ["x509CertificateSingleFactor"],
        },
        {
            "id": uid(10),
            "isMfaRegistered": True,
            "isSsprRegistered": False,
            "methodsRegistered": ["windowsHelloForBusiness", "someFutureMethod"],
        },
        {"id": uid(6), "isMfaRegistered": True, "methodsRegistered": ["sms"]},
        {"id": uid(1), "isMfaRegistered": False, "methodsRegistered": []},  # duplicate: ignored
    ]
    for row in registration:
        row["userPrincipalName"] = "someone@contoso.example"
        row["userDisplayName"] = "Someone"
    scenario.graph_collections["/reports/authenticationMethods/userRegistrationDetails"] = (
        registration
    )
    scenario.graph_page_caps["/reports/authenticationMethods/userRegistrationDetails"] = 3
    scenario.graph_collections["/identity/conditionalAccess/policies"] = [
        {
            "id": "p1",
            "displayName": "Require MFA",
            "state": "enabled",
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": [uid(2), uid(3)]},
                "applications": {
                    "includeApplications": ["All"],
                    "excludeApplications": ["MicrosoftAdminPortals"],
                },
            },
        },
        {
            "id": "p2",
            "state": "enabledForReportingButNotEnforced",
            "grantControls": {"builtInControls": ["block"]},
            "conditions": {
                "clientAppTypes": ["exchangeActiveSync", "other"],
                "users": {"includeUsers": ["All"]},
            },
        },
        {
            "id": "p3",
            "state": "Enabled",
            "grantControls": {"builtInControls": ["block"]},
            "conditions": {"clientAppTypes": ["other"], "users": {"includeUsers": [uid(5)]}},
        },
        {
            "id": "p4",
            "state": "disabled",
            "grantControls": {"builtInControls": ["mfa"]},
            "conditions": {"users": {"includeUsers": [uid(4)]}},
        },
        {
            "id": "p5",
            "state": "enabled",
            "grantControls": {"builtInControls": [], "authenticationStrength": {"id": "s1"}},
            "conditions": {
                "users": {"includeUsers": [uid(2).upper()]},
                "applications": {"includeApplications": ["00000003-0000-0000-c000-000000000000"]},
            },
        },
        {
            "id": "p6",
            "state": "enabled",
            "grantControls": {"builtInControls": ["compliantDevice"]},
            "conditions": {
                "users": {"includeUsers": [], "includeRoles": [GA]},
                "applications": None,
            },
        },
        {
            "id": "p7",
            "state": "enabled",
            "grantControls": {"builtInControls": ["MFA"]},  # group-scoped
            "conditions": {
                "users": {"includeGroups": ["bbbbbbbb-0000-0000-0000-000000000009"]},
                "clientAppTypes": ["browser"],
            },
        },
    ]
    scenario.graph_objects["/policies/identitySecurityDefaultsEnforcementPolicy"] = {
        "id": "00000000-0000-0000-0000-000000000005",
        "isEnabled": False,
    }
    scenario.graph_collections["/roleManagement/directory/roleAssignments"] = [
        {"id": "ra1", "principalId": uid(10), "roleDefinitionId": GA, "directoryScopeId": "/"},
        {
            "id": "ra2",
            "principalId": uid(1),
            "roleDefinitionId": SECURITY_ADMIN,
            "directoryScopeId": "/",
        },
        {
            "id": "ra3",
            "principalId": uid(6),
            "roleDefinitionId": USER_ADMIN,
            "directoryScopeId": "/",
        },
        {
            "id": "ra4",
            "principalId": "bbbbbbbb-0000-0000-0000-000000000001",
            "roleDefinitionId": GA,
        },
        {"id": "ra5", "principalId": uid(1), "roleDefinitionId": DIRECTORY_READERS},
        {"id": "ra6", "principalId": uid(10), "roleDefinitionId": PRIV_ROLE_ADMIN.upper()},
        {"id": "ra7", "principalId": uid(8), "roleDefinitionId": EXCHANGE_ADMIN},
    ]
    scenario.graph_collections["/roleManagement/directory/roleEligibilitySchedules"] = [
        {"id": "es1", "principalId": uid(2), "roleDefinition": {"templateId": GA}},
        {"id": "es2", "principalId": uid(3), "roleDefinitionId": USER_ADMIN},
        {"id": "es3", "principalId": uid(4), "roleDefinition": {"templateId": DIRECTORY_READERS}},
        {
            "id": "es4",
            "principalId": "bbbbbbbb-0000-0000-0000-000000000002",
            "roleDefinition": {"templateId": ""},
            "roleDefinitionId": SECURITY_ADMIN,
        },
    ]
    scenario.graph_collections["/servicePrincipals"] = [
        {
            "id": "sp1",
            "displayName": "App One",
            "servicePrincipalType": "Application",
            "accountEnabled": True,
            "preferredSingleSignOnMode": "saml",
            "appRoleAssignmentRequired": True,
            "passwordCredentials": [{"endDateTime": iso(now - timedelta(days=10)), "keyId": "k1"}],
            "keyCredentials": [
                {
                    "startDateTime": iso(now - timedelta(days=10)),
                    "endDateTime": iso(now + timedelta(days=400)),
                }
            ],
        },
        {
            "id": "sp2",
            "servicePrincipalType": "Application",
            "preferredSingleSignOnMode": "OIDC",
            "appRoleAssignmentRequired": False,
            "passwordCredentials": [
                {
                    "startDateTime": iso(now - timedelta(days=5)),
                    "endDateTime": iso(now + timedelta(days=10)),
                }
            ],
        },
        {
            "id": "sp3",
            "servicePrincipalType": "Application",
            "accountEnabled": False,
            "preferredSingleSignOnMode": "saml",
            "keyCredentials": [{"startDateTime": iso(now - timedelta(days=1))}],
        },
        {
            "id": "sp4",
            "appId": "appid-1",  # app1's service principal
            "servicePrincipalType": "Application",
            "accountEnabled": True,
            "preferredSingleSignOnMode": None,
            "appRoleAssignmentRequired": True,
        },
        {
            "id": "sp5",
            "servicePrincipalType": "ManagedIdentity",
            "accountEnabled": True,
            "preferredSingleSignOnMode": "saml",
        },
    ]
    scenario.graph_collections["/applications"] = [
        {
            "id": "app1",
            "appId": "appid-1",
            "displayName": "Payroll",
            "passwordCredentials": [
                {
                    "startDateTime": iso(now - timedelta(days=400)),
                    "endDateTime": iso(now + timedelta(days=100)),
                    "hint": "abc",
                }
            ],
            "keyCredentials": [{"endDateTime": iso(now - timedelta(days=1))}],
        },
        {
            "id": "app2",
            "passwordCredentials": [
                {"startDateTime": iso(now - timedelta(days=1)), "endDateTime": "garbage"}
            ],
        },
        {"id": "app3"},
    ]
    scenario.graph_collections["/security/secureScores"] = [
        {"id": "s-new", "currentScore": 123.4, "maxScore": 200},
        {"id": "s-old", "currentScore": 1, "maxScore": 200},
    ]
    scenario.graph_collections["/subscribedSkus"] = [
        {
            "skuId": "sku1",
            "capabilityStatus": "Enabled",
            "servicePlans": [
                {
                    "servicePlanId": P1_PLAN,
                    "servicePlanName": "AAD_PREMIUM",
                    "provisioningStatus": "Success",
                },
                {"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "PendingActivation"},
            ],
        },
        {
            "skuId": "sku2",
            "capabilityStatus": "Suspended",
            "servicePlans": [
                {"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success"}
            ],
        },
    ]
    install_tenant_policies(scenario)
    return scenario


def install_entra(scenario: Scenario, now: datetime | None = None) -> None:
    """Give an existing scenario the whole hand-built Entra tenant."""
    tenant = entra_tenant(now)
    scenario.graph_collections.update(tenant.graph_collections)
    scenario.graph_objects.update(tenant.graph_objects)
    scenario.graph_page_caps.update(tenant.graph_page_caps)
