"""One view model of a pack, shared by the HTML page and the terminal summary.

Everything here is derived from the artifacts alone, and every value is reduced to display
text (plus a percentage for a bar) before a renderer sees it. A pack can come from anywhere,
so nothing assumes its shape: a value of an unexpected type is shown as text, or skipped
where a number is needed, never trusted as markup or as a number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collector.report.pack import Pack

#: Blocks of the vendor artifacts that are not posture sections of their own.
_META = frozenset(
    {"schema_version", "collected_at", "collected_at_level", "tenant_id", "org_domain"}
)
#: A null metric: nothing to measure (a zero denominator) or not collected; the artifacts
#: do not say which, so the view does not guess (diagnostics.unavailable names the latter).
NO_VALUE = "—"
#: Word spellings for field-name tokens, so that labels read as people write them.
_WORDS = {
    "mfa": "MFA",
    "sso": "SSO",
    "sspr": "SSPR",
    "tls12": "TLS 1.2",
    "ssh": "SSH",
    "rdp": "RDP",
    "sql": "SQL",
    "tde": "TDE",
    "cmk": "CMK",
    "rbac": "RBAC",
    "pim": "PIM",
    "ip": "IP",
    "otp": "OTP",
    "fido2": "FIDO2",
    "msol": "MSOL",
    "entra": "Entra",
    "defender": "Defender",
    "powershell": "PowerShell",
    "keyvault": "Key Vault",
    "7d": "(7 days)",
    "90d": "(90 days)",
    "180d": "(180 days)",
    "365d": "(365 days)",
    "sms": "SMS",
    "https": "HTTPS",
    "le": "≤",
    "gt": ">",
    "pct": "",
}
#: Trailing tokens that qualify the whole name; `_max_min` is a maximum in minutes.
_QUALIFIERS = (("max_min", "(max, minutes)"), ("min", "(min)"), ("max", "(max)"))


@dataclass(frozen=True)
class Cell:
    """A value as shown: its text and, for a percentage, the bar's width (0–100); `missing`
    marks a null."""

    text: str
    pct: int | None = None
    missing: bool = False


@dataclass(frozen=True)
class Row:
    label: str
    cell: Cell


@dataclass(frozen=True)
class Section:
    """One block of an artifact, field by field."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Grid:
    """Azure fields across subscriptions: a row per subscription, a column per field (a
    subscription count grows without bound, a block's field count does not)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class Headline:
    label: str
    meaning: str
    cell: Cell


@dataclass(frozen=True)
class Unavailable:
    scope: str
    surface: str
    reason: str
    fix: str


@dataclass(frozen=True)
class ReportView:
    """Everything either renderer shows, already reduced to display text."""

    facts: tuple[Row, ...]
    headlines: tuple[Headline, ...]
    completeness: Cell | None
    completeness_detail: str
    entra_sections: tuple[Section, ...]
    subscriptions_expected: int | None
    subscription_summary: Grid | None
    azure_grids: tuple[Grid, ...]
    unavailable: tuple[Unavailable, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    notes: tuple[Row, ...]


#: The headline figures: label, what it measures, and where to read it (first found wins).
HEADLINES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "MFA registered",
        "enabled members with an MFA method registered",
        (("entra", "posture.mfa_coverage"), ("idp_posture", "user_security.mfa_coverage_pct")),
    ),
    (
        "Phishing-resistant MFA registered",
        "enabled members with a phishing-resistant method registered",
        (
            ("entra", "posture.mfa_phishing_resistant"),
            ("idp_posture", "user_security.mfa_phishing_resistant_pct"),
        ),
    ),
    (
        "MFA enforced",
        "enabled members whom enforced Conditional Access makes pass MFA",
        (("entra", "conditional_access.mfa_enforced_members_pct"),),
    ),
    (
        "MFA enforced for privileged users",
        "privileged users whom enforced Conditional Access makes pass MFA",
        (("entra", "conditional_access.mfa_enforced_privileged_pct"),),
    ),
    (
        "Privileged users with MFA registered",
        "holders of privileged directory roles with an MFA method registered",
        (
            ("entra", "privileged_access.privileged_mfa_coverage_pct"),
            ("idp_posture", "privileged_access.privileged_mfa_coverage_pct"),
        ),
    ),
    (
        "Legacy authentication blocked",
        "enabled members whose legacy-protocol sign-ins Conditional Access blocks",
        (("entra", "conditional_access.legacy_auth_block_coverage_pct"),),
    ),
    (
        "SSO coverage",
        "enabled enterprise apps that sign in with SAML or OIDC",
        (("entra", "posture.sso_coverage"), ("idp_posture", "app_security.sso_coverage_pct")),
    ),
)

#: The per-subscription summary table: column label and the field of the azure artifact.
SUBSCRIPTION_SUMMARY: tuple[tuple[str, str], ...] = (
    ("Secure score", "defender.secure_score_pct"),
    ("Policy compliant", "policy.compliant_pct"),
    ("Storage public access blocked", "storage.public_access_blocked_pct"),
    ("Key vault purge protection", "keyvault.purge_protection_pct"),
    ("SQL TDE", "sql.tde_enabled_pct"),
    ("VM disk encryption", "compute.disk_encryption_pct"),
    ("NSGs with SSH open to the internet", "network.ssh_open_to_world_pct"),
    ("NSGs with RDP open to the internet", "network.rdp_open_to_world_pct"),
    ("Flow logs", "network.flow_logs_pct"),
    ("Diagnostic settings coverage", "logging.diagnostic_settings_coverage_pct"),
    ("Backup retention days (min)", "backup.retention_days_min"),
)


def build_view(pack: Pack) -> ReportView:
    """The view of `pack`; any artifact may be missing, any field null."""
    entra = pack.artifacts.get("entra", {})
    azure = pack.artifacts.get("azure", {})
    diagnostics = _mapping(entra.get("diagnostics")) or _mapping(azure.get("diagnostics"))
    accounts = [_mapping(a) for a in _sequence(azure.get("accounts"))]
    expected = _mapping(pack.artifacts.get("cloud_posture")).get("accounts_expected")
    completeness = _mapping(diagnostics.get("completeness"))
    return ReportView(
        facts=_facts(pack),
        headlines=tuple(
            Headline(label, meaning, _headline(pack, sources))
            for label, meaning, sources in HEADLINES
        ),
        completeness=(_cell("pct", completeness.get("pct"), pct=True) if completeness else None),
        completeness_detail=(
            f"{_text(completeness.get('surfaces_collected'))} of "
            f"{_text(completeness.get('surfaces_expected'))} surfaces collected"
            if completeness
            else ""
        ),
        entra_sections=tuple(_sections(entra)),
        subscriptions_expected=expected if type(expected) is int else None,
        subscription_summary=(
            _grid("Subscriptions", accounts, SUBSCRIPTION_SUMMARY) if accounts else None
        ),
        azure_grids=tuple(_grids(accounts)),
        unavailable=tuple(_unavailable(diagnostics.get("unavailable"))),
        errors=tuple(
            _error_text(item)
            for key in ("tenant_errors", "subscription_errors")
            for item in _sequence(diagnostics.get(key))
        ),
        warnings=tuple(_text(item) for item in _sequence(diagnostics.get("warnings"))),
        notes=tuple(_notes(diagnostics)),
    )


def label(key: str) -> str:
    """`mfa_enforced_privileged_pct` → `MFA enforced privileged`."""
    stem, qualifier = key.removesuffix("_pct"), ""
    for suffix, words in _QUALIFIERS:
        if stem.endswith(f"_{suffix}"):
            stem, qualifier = stem.removesuffix(f"_{suffix}"), f" {words}"
            break
    text = " ".join(filter(None, (_WORDS.get(token, token) for token in stem.split("_"))))
    text += qualifier
    return text[:1].upper() + text[1:] if text else key


def _facts(pack: Pack) -> tuple[Row, ...]:
    entra = pack.artifacts.get("entra", {})
    idp = pack.artifacts.get("idp_posture", {})
    first = next(iter(pack.artifacts.values()))
    facts = [
        ("Tenant", entra.get("tenant_id")),
        ("Organization domain", entra.get("org_domain") or idp.get("org_domain")),
        ("Level", first.get("collected_at_level")),
        ("Collected at", first.get("collected_at")),
        ("Pack generated at", pack.generated_at),
        ("Pack digest", pack.pack_digest),
    ]
    return tuple(Row(name, Cell(_text(value))) for name, value in facts if value)


def _headline(pack: Pack, sources: Iterable[tuple[str, str]]) -> Cell:
    for kind, path in sources:
        if kind in pack.artifacts:
            value = _lookup(pack.artifacts[kind], path)
            if value is not None:
                return _cell("pct", value, pct=True)
    return Cell(NO_VALUE, missing=True)


def _sections(document: Mapping[str, Any]) -> Iterable[Section]:
    for key, block in document.items():
        if key in _META or key == "diagnostics" or not isinstance(block, Mapping):
            continue
        yield Section(
            label(key),
            tuple(
                Row(label(field), _cell(field, value, pct=_is_pct(key, field)))
                for field, value in block.items()
            ),
        )


def _grids(accounts: Sequence[Mapping[str, Any]]) -> Iterable[Grid]:
    blocks: dict[str, dict[str, None]] = {}  # block → fields, in first-seen order
    for account in accounts:
        for key, block in account.items():
            if key != "account_id" and isinstance(block, Mapping):
                blocks.setdefault(key, {}).update(dict.fromkeys(block))
    for block, fields in blocks.items():
        yield _grid(label(block), accounts, [(label(f), f"{block}.{f}") for f in fields])


def _grid(
    title: str, accounts: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]
) -> Grid:
    return Grid(
        title,
        tuple(name for name, _ in columns),
        tuple(
            (_text(account.get("account_id")), tuple(_field(account, p) for _, p in columns))
            for account in accounts
        ),
    )


def _field(account: Mapping[str, Any], path: str) -> Cell:
    block, _, field = path.partition(".")
    if not isinstance(account.get(block), Mapping):
        return Cell(NO_VALUE, missing=True)
    return _cell(field, account[block].get(field), pct=_is_pct(block, field))


def _unavailable(items: Any) -> Iterable[Unavailable]:
    for item in _sequence(items):
        entry = _mapping(item)
        yield Unavailable(
            _text(entry.get("scope")),
            _text(entry.get("surface")),
            _text(entry.get("reason")).replace("_", " "),
            _text(entry.get("fix")),
        )


def _notes(diagnostics: Mapping[str, Any]) -> Iterable[Row]:
    licence = _mapping(diagnostics.get("license"))
    if "entra_tier" in licence:
        yield Row("Entra licence tier", _cell("tier", licence.get("entra_tier")))
    missing = _sequence(licence.get("capabilities_unavailable"))
    if missing:
        yield Row("Capabilities unavailable", _cell("list", missing))
    permissions = _mapping(diagnostics.get("permissions"))
    if "read_only" in permissions:
        yield Row("Read-only access", _cell("read_only", permissions.get("read_only")))
    for key in ("graph_roles_missing", "graph_roles_not_read_only"):
        if _sequence(permissions.get(key)):
            yield Row(label(key), _cell(key, permissions.get(key)))
    for path, entry in _mapping(diagnostics.get("truncation")).items():
        dropped = _mapping(entry).get("dropped_count")
        yield Row(f"Truncated: {path}", _cell("dropped_count", dropped))


def _is_pct(block: str, field: str) -> bool:
    # The v1.0 `posture` block names its percentages without the `_pct` suffix.
    return field.endswith("_pct") or (block == "posture" and not field.startswith("denominator"))


def _cell(field: str, value: Any, *, pct: bool = False) -> Cell:
    if value is None:
        return Cell(NO_VALUE, missing=True)
    if isinstance(value, bool):
        return Cell("yes" if value else "no")
    if isinstance(value, (int, float)):
        if pct:
            return Cell(f"{value:g}%", max(0, min(100, round(value))))
        return Cell(f"{value:,}")  # units are in the labels: "retention days (min)"
    if isinstance(value, Mapping):
        return Cell(", ".join(f"{label(k)}: {_text(v)}" for k, v in value.items()) or "none")
    if isinstance(value, list):
        return Cell(", ".join(_item(item) for item in value) or "none")
    return Cell(_text(value))


def _item(item: Any) -> str:
    """A list entry: a ranked `{"code": 50126, "count": 2}` reads `50126 (2)`."""
    if isinstance(item, Mapping):
        named = " ".join(_text(v) for k, v in item.items() if k != "count")
        return f"{named} ({_text(item.get('count'))})" if "count" in item else named
    return _text(item)


def _error_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return " ".join(_text(v) for v in item.values())
    return _text(item)


def _lookup(document: Mapping[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    # numbers and nested values as compact JSON text, never Python reprs
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
