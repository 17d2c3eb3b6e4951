"""A hand-built tenant for the v1.1 Entra evidence (§V.4–§V.7); the arithmetic is in
tests/test_entra_enforcement.py.

Users e1–e6 (members) and g1–g3 (guests); e4 is a declared break-glass Global Administrator.
Groups: GROUP_A {e2, e3} (plus a device and a nested-group row, which are not people),
GROUP_X {e3}, and DELETED_GROUP (404: still referenced by a policy). Fifteen Conditional
Access policies, each there for one clause of §V.4. The tenant policies (G15–G17) carry one
value per field, and the app credentials one per lifetime rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tests.simulator import Scenario
from tests.tenants.entra_tenant import GA, SECURITY_ADMIN, USER_ADMIN, iso
from tests.tenants.tenant_policies import CANARIES, install_tenant_policies

DIRECTORY_READERS: Final = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
PHISHING_RESISTANT_STRENGTH: Final = "00000000-0000-0000-0000-000000000004"
GROUP_A: Final = "cccccccc-0000-0000-0000-00000000000a"
GROUP_X: Final = "cccccccc-0000-0000-0000-0000000000ff"
DELETED_GROUP: Final = "cccccccc-0000-0000-0000-0000000000dd"
ADMIN_GROUP: Final = "cccccccc-0000-0000-0000-0000000000ad"  # holds a privileged role
SERVICE_PRINCIPAL: Final = "dddddddd-0000-0000-0000-000000000001"
UNKNOWN_ACCOUNT: Final = "eeeeeeee-0000-0000-0000-000000000099"  # declared, not in the tenant


def user_id(name: str) -> str:
    """e1 → ffffffff-0000-0000-0000-0000000000e1 (a distinct, valid GUID per person)."""
    return f"ffffffff-0000-0000-0000-{name.rjust(12, '0')}"


E1, E2, E3, E4, E5, E6 = (user_id(f"e{n}") for n in range(1, 7))
G1, G2, G3 = (user_id(f"a{n}") for n in range(1, 4))  # guests (hex-safe names)
EMERGENCY_ACCOUNTS: Final = [E4.upper(), f"  {UNKNOWN_ACCOUNT}  ", E4]  # ci duplicate, spaces


def _users() -> list[dict[str, Any]]:
    def user(uid: str, enabled: bool, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": uid,
            "accountEnabled": enabled,
            "userType": kind,
            "displayName": f"CANARY-user-{uid[-2:]}",
            **extra,
        }

    return [
        user(E1, True, "Member", onPremisesSyncEnabled=True),
        user(E2, True, "Member", onPremisesSyncEnabled=None),
        user(E3, True, "Member"),
        user(E4, True, "Member", onPremisesSyncEnabled=False),
        user(E5, True, "Member"),
        user(E6, False, "Member"),
        user(G1, True, "Guest"),
        user(G2, True, "Guest"),
        user(G3, False, "Guest"),
    ]


def _all_apps() -> dict[str, Any]:
    return {"includeApplications": ["All"], "excludeApplications": []}


def _policy(
    number: int,
    state: str,
    users: dict[str, Any],
    grant: dict[str, Any] | None,
    **conditions: Any,
) -> dict[str, Any]:
    session = conditions.pop("session", None)
    return {
        "id": f"policy-{number}",
        "displayName": f"{CANARIES['policy']}-{number}",
        "state": state,
        "conditions": {
            "users": users,
            "applications": conditions.pop("applications", _all_apps()),
            "clientAppTypes": conditions.pop("clientAppTypes", ["all"]),
            "platforms": None,
            "locations": None,
            "signInRiskLevels": [],
            "userRiskLevels": [],
            **conditions,
        },
        "grantControls": grant,
        "sessionControls": session,
    }


def _mfa(operator: str = "OR", *controls: str) -> dict[str, Any]:
    return {"operator": operator, "builtInControls": list(controls or ("mfa",))}


def _frequency(value: int, unit: str) -> dict[str, Any]:
    return {
        "signInFrequency": {
            "isEnabled": True,
            "value": value,
            "type": unit,
            "frequencyInterval": "timeBased",
            "authenticationType": "primaryAndSecondaryAuthentication",
        }
    }


def policies() -> list[dict[str, Any]]:
    everyone = {"includeUsers": ["All"]}
    return [
        # P1 MFA for everyone but break-glass e4, guest g2 and GROUP_X (e3)
        _policy(
            1,
            "enabled",
            {"includeUsers": ["All"], "excludeUsers": [E4, G2], "excludeGroups": [GROUP_X]},
            _mfa(),
        ),
        # P2 MFA *or* a compliant device for GROUP_A: satisfiable without MFA
        _policy(2, "enabled", {"includeGroups": [GROUP_A]}, _mfa("OR", "mfa", "compliantDevice")),
        # P3 phishing-resistant strength for two privileged roles, break-glass excluded
        _policy(
            3,
            "enabled",
            {"includeRoles": [GA, SECURITY_ADMIN.upper()], "excludeUsers": [E4]},
            {
                "operator": "OR",
                "builtInControls": [],
                "authenticationStrength": {
                    "id": PHISHING_RESISTANT_STRENGTH,
                    "requirementsSatisfied": "mfa",
                    "allowedCombinations": ["fido2", "windowsHelloForBusiness"],
                },
            },
        ),
        # P4 report-only MFA for GROUP_X (e3): would close the gap if it went live
        _policy(4, "enabledForReportingButNotEnforced", {"includeGroups": [GROUP_X]}, _mfa()),
        # P5 legacy-auth block for everyone but e4, e2 and a deleted group
        _policy(
            5,
            "enabled",
            {"includeUsers": ["All"], "excludeUsers": [E4, E2], "excludeGroups": [DELETED_GROUP]},
            {"operator": "OR", "builtInControls": ["block"]},
            clientAppTypes=["exchangeActiveSync", "other"],
        ),
        # P6 MFA for everyone, but only on Android: narrowed by platform
        _policy(
            6,
            "enabled",
            everyone,
            _mfa(),
            platforms={"includePlatforms": ["android"], "excludePlatforms": []},
        ),
        # P7 sign-in risk: MFA when risk is high (narrowed by risk, still a risk policy)
        _policy(7, "enabled", everyone, _mfa(), signInRiskLevels=["high"]),
        # P8 user risk: Microsoft-managed remediation (an evolvable enum member)
        _policy(
            8,
            "enabled",
            everyone,
            {"operator": "AND", "builtInControls": ["riskRemediation"]},
            userRiskLevels=["high"],
        ),
        # P9, P10 sign-in frequency for everyone: 12 hours and 1 day
        _policy(9, "enabled", everyone, None, session=_frequency(12, "hours")),
        _policy(10, "enabled", everyone, None, session=_frequency(1, "days")),
        # P11 MFA and a compliant device (AND) for everyone, in browsers only
        _policy(
            11,
            "enabled",
            everyone,
            _mfa("AND", "mfa", "compliantDevice"),
            clientAppTypes=["browser"],
        ),
        # P12 disabled; P14 report-only and P15 disabled, both with one-hour frequencies
        _policy(12, "disabled", everyone, _mfa()),
        # P13 MFA for guests, but not from trusted locations: narrowed by location
        _policy(
            13,
            "enabled",
            {"includeUsers": ["GuestsOrExternalUsers"]},
            _mfa(),
            locations={"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
        ),
        _policy(
            14, "enabledForReportingButNotEnforced", everyone, None, session=_frequency(1, "hours")
        ),
        _policy(15, "disabled", everyone, None, session=_frequency(1, "hours")),
    ]


def _member(kind: str, uid: str) -> dict[str, Any]:
    return {"@odata.type": f"#microsoft.graph.{kind}", "id": uid}


def group_members() -> dict[str, list[dict[str, Any]]]:
    return {
        GROUP_A: [
            _member("user", E2),
            _member("group", GROUP_X),  # nested group: its users are listed on their own
            _member("user", E3.upper()),
            _member("device", "dddddddd-0000-0000-0000-0000000000de"),
        ],
        GROUP_X: [_member("user", E3)],
    }


def role_assignments() -> list[dict[str, Any]]:
    def assignment(n: int, principal: str, role: str) -> dict[str, Any]:
        return {"id": f"ra{n}", "principalId": principal, "roleDefinitionId": role}

    return [
        assignment(1, E1, GA),
        assignment(2, E4, GA),
        assignment(3, E5, SECURITY_ADMIN),
        assignment(4, ADMIN_GROUP, SECURITY_ADMIN),  # a group holding a privileged role
        assignment(5, SERVICE_PRINCIPAL, USER_ADMIN),  # an app holding one
        assignment(6, E2, DIRECTORY_READERS),  # not privileged
    ]


def _credentials(now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    def credential(start_days: int | None, end_days: int | None) -> dict[str, Any]:
        entry: dict[str, Any] = {"keyId": "k", "displayName": "CANARY-secret-name-4a4a"}
        if start_days is not None:
            entry["startDateTime"] = iso(now + timedelta(days=start_days))
        if end_days is not None:
            entry["endDateTime"] = iso(now + timedelta(days=end_days))
        return entry

    principals = [
        {
            "id": "dddddddd-0000-0000-0000-0000000000a1",
            "appId": "aaaaaaaa-1111-0000-0000-000000000001",
            "servicePrincipalType": "Application",
            "accountEnabled": True,
            "passwordCredentials": [credential(-10, 5)],  # 15 d, ends in 5 d
            "keyCredentials": [credential(-400, 400)],  # 800 d
        },
        {
            "id": "dddddddd-0000-0000-0000-0000000000a2",
            "appId": "aaaaaaaa-1111-0000-0000-000000000002",
            "servicePrincipalType": "Application",
            "passwordCredentials": [credential(-1, None)],  # no end
        },
    ]
    applications = [
        {
            "id": "dddddddd-0000-0000-0000-0000000000b1",
            "appId": "aaaaaaaa-1111-0000-0000-000000000003",
            "passwordCredentials": [credential(-300, 60)],  # 360 d, ends in 60 d
            "keyCredentials": [credential(-30, -1)],  # expired
        },
        {
            "id": "dddddddd-0000-0000-0000-0000000000b2",
            "keyCredentials": [credential(-10, 80)],  # exactly 90 d
        },
        {
            "id": "dddddddd-0000-0000-0000-0000000000b3",
            "passwordCredentials": [credential(-100, -10)],  # expired only
        },
    ]
    return principals, applications


def enforcement_tenant(now: datetime | None = None) -> Scenario:
    moment = now or datetime.now(UTC)
    scenario = Scenario()
    scenario.graph_collections["/users"] = _users()
    scenario.graph_collections["/reports/authenticationMethods/userRegistrationDetails"] = []
    scenario.graph_collections["/identity/conditionalAccess/policies"] = policies()
    scenario.graph_objects["/policies/identitySecurityDefaultsEnforcementPolicy"] = {
        "isEnabled": False
    }
    scenario.graph_collections["/roleManagement/directory/roleAssignments"] = role_assignments()
    scenario.graph_collections["/roleManagement/directory/roleEligibilitySchedules"] = []
    principals, applications = _credentials(moment)
    scenario.graph_collections["/servicePrincipals"] = principals
    scenario.graph_collections["/applications"] = applications
    scenario.graph_collections["/security/secureScores"] = [{"currentScore": 1, "maxScore": 2}]
    scenario.graph_collections["/subscribedSkus"] = []
    scenario.group_members = group_members()
    install_tenant_policies(scenario)
    return scenario
