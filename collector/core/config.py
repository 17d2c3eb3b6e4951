"""Configuration parsing and validation (contract §2.1–§2.5).

Validation is a single pass over the rules of §2.3 in their documented order, so the first
failing rule is always the one reported. Nothing here touches the network or the credential
environment: a bad config must fail before either is consulted.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from collector.core.clouds import CLOUD_NAMES, Cloud, CustomEndpoints, cloud_for
from collector.core.errors import ConfigError

MAX_CONFIG_BYTES: Final = 1024 * 1024
GUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
AUTH_MODES: Final = (
    "client_secret",
    "oidc",
    "workload_identity",
    "certificate",
    "managed_identity",
)
LEVELS: Final = ("trust", "audit", "internal")
KNOWN_KEYS: Final = frozenset(
    {
        "tenant_id",
        "client_id",
        "auth_mode",
        "subscription_ids",
        "level",
        "azure_environment",
        "endpoints",
        "deadline_seconds",
        "emergency_access_accounts",
        "resource_graph",
    }
)
ENDPOINT_KEYS: Final = ("authority", "graph", "resource_manager")
DEFAULT_DEADLINE_SECONDS: Final = 540
MAX_EMERGENCY_ACCESS_ACCOUNTS: Final = 20
_UNKNOWN_KEYS_LISTED: Final = 20
RESOURCE_GRAPH_MODES: Final = ("auto", "always", "never")
# `auto` queries Resource Graph above this many subscriptions: below it the per-subscription
# listings cost about as many requests as the queries do.
RESOURCE_GRAPH_AUTO_ABOVE: Final = 10


@dataclass(frozen=True)
class Config:
    """A validated configuration; every value is already trimmed and normalized."""

    tenant_id: str
    client_id: str | None
    auth_mode: str
    subscription_ids: tuple[str, ...]
    level: str
    cloud: Cloud
    deadline_seconds: int = DEFAULT_DEADLINE_SECONDS
    warnings: tuple[str, ...] = field(default=())
    # Lower-cased object IDs of the declared break-glass accounts (v1.1 §V.2): join keys only,
    # never written to any output (the dataclass repr hides them too).
    emergency_access_accounts: frozenset[str] = field(default=frozenset(), repr=False)
    resource_graph: str = "auto"

    @property
    def uses_resource_graph(self) -> bool:
        """Whether the run answers the list surfaces it can from Resource Graph (issue 19)."""
        if self.resource_graph == "auto":
            return len(self.subscription_ids) > RESOURCE_GRAPH_AUTO_ABOVE
        return self.resource_graph == "always" and bool(self.subscription_ids)


def is_guid(value: str) -> bool:
    return GUID_RE.fullmatch(value) is not None


def printable(text: str, limit: int) -> str:
    """Render untrusted text for a message: non-printable-ASCII becomes `?`, then truncate."""
    return "".join(ch if " " <= ch <= "~" else "?" for ch in text)[:limit]


def load_config_file(path: str | None) -> Any:
    """Read the config document named by EPACK_COLLECTOR_CONFIG (§2.1)."""
    if not path:
        return {}
    try:
        # Non-blocking, so a FIFO without a writer cannot hang the run; only a regular file
        # is read, and never more than the cap (plus one byte, to see that it is too large).
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        raise ConfigError("config file could not be read") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise ConfigError(
                "config file could not be read: EPACK_COLLECTOR_CONFIG must name a regular file"
            )
        try:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError:
            raise ConfigError("config file could not be read") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError("config file could not be read")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ConfigError("config file is not valid JSON") from None


def load_config(environ: dict[str, str] | None = None) -> Config:
    env = os.environ if environ is None else environ
    return validate_config(load_config_file(env.get("EPACK_COLLECTOR_CONFIG")))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _validate_guid_key(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string")
    trimmed = value.strip()
    if not is_guid(trimmed):
        raise ConfigError(f"{key} must be a GUID")
    return trimmed


def _validate_tenant(doc: dict[str, Any]) -> str:
    if _blank(doc.get("tenant_id")):
        raise ConfigError("tenant_id is required")
    value = doc["tenant_id"]
    if isinstance(value, str) and value.strip().lower() in ("common", "organizations", "consumers"):
        raise ConfigError(
            f'tenant_id must name one tenant; "{value.strip().lower()}" is not allowed'
        )
    return _validate_guid_key(doc, "tenant_id")


def _auth_mode_is_managed(doc: dict[str, Any]) -> bool:
    mode = doc.get("auth_mode")
    return isinstance(mode, str) and mode.strip().lower() == "managed_identity"


def _validate_client(doc: dict[str, Any]) -> str | None:
    if _blank(doc.get("client_id")):
        if _auth_mode_is_managed(doc):
            return None
        raise ConfigError("client_id is required")
    return _validate_guid_key(doc, "client_id")


def _validate_auth_mode(doc: dict[str, Any]) -> str:
    value = doc.get("auth_mode")
    if _blank(value):
        raise ConfigError("auth_mode is required")
    if not isinstance(value, str):
        raise ConfigError("auth_mode must be a string")
    mode = value.strip().lower()
    if mode not in AUTH_MODES:
        raise ConfigError("auth_mode must be one of " + ", ".join(AUTH_MODES))
    return mode


def _validate_subscriptions(doc: dict[str, Any]) -> tuple[str, ...]:
    value = doc.get("subscription_ids")
    if value is None:
        raise ConfigError("subscription_ids is required; use [] to collect Entra ID only")
    if not isinstance(value, list):
        raise ConfigError("subscription_ids must be a list of strings")
    kept: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(f"subscription_ids[{index}] must be a string")
        trimmed = item.strip()
        if not is_guid(trimmed):
            raise ConfigError(f"subscription_ids[{index}] must be a GUID")
        if trimmed.lower() not in seen:
            seen.add(trimmed.lower())
            kept.append(trimmed)
    return tuple(kept)


def _validate_emergency_accounts(doc: dict[str, Any]) -> frozenset[str]:
    """EA_DECL of v1.1 §V.2; messages name the index, never the value."""
    value = doc.get("emergency_access_accounts")
    if value is None:
        return frozenset()
    shape = "emergency_access_accounts must be a list of object ID strings"
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(shape)
    for index, item in enumerate(value):
        if not is_guid(item.strip()):
            raise ConfigError(f"emergency_access_accounts[{index}] must be a GUID")
    declared = frozenset(item.strip().lower() for item in value)
    if len(declared) > MAX_EMERGENCY_ACCESS_ACCOUNTS:
        raise ConfigError(
            f"emergency_access_accounts allows at most {MAX_EMERGENCY_ACCESS_ACCOUNTS} accounts"
        )
    return declared


def _resolve_level(doc: dict[str, Any], warnings: list[str]) -> str:
    value = doc.get("level")
    if value is None:
        return "trust"
    if not isinstance(value, str):
        raise ConfigError("level must be a string")
    level = value.strip().lower()
    if not level:
        return "trust"
    if level in LEVELS:
        return level
    shown = "".join(
        ch if (ch.isascii() and (ch.isalnum() or ch in "_.-")) else "?" for ch in value.strip()[:32]
    )
    warnings.append(f'config: unknown level "{shown}"; collecting at trust')
    return "trust"


def _validate_environment(doc: dict[str, Any]) -> str:
    value = doc.get("azure_environment")
    if value is None:
        return "AzureCloud"
    if not isinstance(value, str):
        raise ConfigError("azure_environment must be a string")
    wanted = value.strip().lower()
    if not wanted:
        return "AzureCloud"
    for name in CLOUD_NAMES:
        if name.lower() == wanted:
            return name
    raise ConfigError("azure_environment must be one of " + ", ".join(CLOUD_NAMES))


def normalize_origin(value: Any) -> str | None:
    """Return `https://host[:port]` for an acceptable endpoint URL, else None (§2.5)."""
    if not isinstance(value, str):
        return None
    if any(ch in value for ch in "?#") or any(ch.isspace() for ch in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc:
        return None
    if parts.path not in ("", "/"):
        return None
    if port is not None and not 1 <= port <= 65535:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    return f"https://{host}" + (f":{port}" if port is not None else "")


def _validate_endpoints(doc: dict[str, Any], environment: str) -> CustomEndpoints | None:
    value = doc.get("endpoints")
    if environment != "custom":
        if value is not None:
            raise ConfigError("endpoints is only allowed when azure_environment is custom")
        return None
    if value is None:
        raise ConfigError("endpoints is required when azure_environment is custom")
    if not isinstance(value, dict):
        raise ConfigError("endpoints must be an object")
    unknown = sorted(key for key in value if key not in ENDPOINT_KEYS)
    if unknown:
        raise ConfigError(f'endpoints has unknown key "{printable(unknown[0], 64)}"')
    for key in ENDPOINT_KEYS:
        if value.get(key) is None:
            raise ConfigError(f"endpoints.{key} is required")
    origins: dict[str, str] = {}
    for key in ENDPOINT_KEYS:
        origin = normalize_origin(value[key])
        if origin is None:
            raise ConfigError(
                f"endpoints.{key} must be an absolute https URL with no path, query, "
                "fragment or user info"
            )
        origins[key] = origin
    return CustomEndpoints(
        authority=origins["authority"],
        graph=origins["graph"],
        resource_manager=origins["resource_manager"],
    )


def _validate_deadline(doc: dict[str, Any]) -> int:
    value = doc.get("deadline_seconds")
    if value is None:
        return DEFAULT_DEADLINE_SECONDS
    message = "deadline_seconds must be an integer between 60 and 3600"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(message)
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise ConfigError(message)
    seconds = int(value)
    if not 60 <= seconds <= 3600:
        raise ConfigError(message)
    return seconds


def _validate_resource_graph(doc: dict[str, Any]) -> str:
    value = doc.get("resource_graph")
    if value is None:
        return "auto"
    message = "resource_graph must be one of " + ", ".join(RESOURCE_GRAPH_MODES)
    if not isinstance(value, str):
        raise ConfigError(message)
    mode = value.strip().lower() or "auto"
    if mode not in RESOURCE_GRAPH_MODES:
        raise ConfigError(message)
    return mode


def _unknown_keys_warning(doc: dict[str, Any]) -> str | None:
    unknown = sorted(key for key in doc if key not in KNOWN_KEYS)
    if not unknown:
        return None
    shown = [printable(key, 64) for key in unknown[:_UNKNOWN_KEYS_LISTED]]
    text = "config: ignoring unknown keys: " + ", ".join(shown)
    if len(unknown) > _UNKNOWN_KEYS_LISTED:
        text += f", … (+{len(unknown) - _UNKNOWN_KEYS_LISTED} more)"
    return text


def validate_config(doc: Any) -> Config:
    """Validate a decoded config document in the exact rule order of §2.3."""
    if not isinstance(doc, dict):
        raise ConfigError("config must be a JSON object")
    tenant_id = _validate_tenant(doc)
    client_id = _validate_client(doc)
    auth_mode = _validate_auth_mode(doc)
    subscription_ids = _validate_subscriptions(doc)
    emergency_accounts = _validate_emergency_accounts(doc)
    warnings: list[str] = []
    unknown = _unknown_keys_warning(doc)
    if unknown:
        warnings.append(unknown)
    level = _resolve_level(doc, warnings)
    environment = _validate_environment(doc)
    endpoints = _validate_endpoints(doc, environment)
    deadline = _validate_deadline(doc)
    resource_graph = _validate_resource_graph(doc)
    return Config(
        tenant_id=tenant_id,
        client_id=client_id,
        auth_mode=auth_mode,
        subscription_ids=subscription_ids,
        level=level,
        cloud=cloud_for(environment, endpoints),
        deadline_seconds=deadline,
        warnings=tuple(warnings),
        emergency_access_accounts=emergency_accounts,
        resource_graph=resource_graph,
    )
