"""What msgraph-sdk's model deserialization would cost per 1,000 users, against plain JSON.

The collector reads Graph pages through the SDK's request adapter but decodes the body with
`json.loads` (collector.clients.graph). This measures the road not taken: the same page parsed into
`UserCollectionResponse` models by the SDK's own JSON parse node, as `client.users.get()` does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.estate import _user

USERS_PER_PAGE = 1000
ROUNDS = 20
SELECTED = ("id", "accountEnabled", "userType", "signInActivity")


def page_body() -> bytes:
    """One Graph page of 1,000 users with exactly the fields G3/G5 select."""
    now = datetime.now(UTC)
    users = [{k: v for k, v in _user(i, now).items() if k in SELECTED} for i in range(1000)]
    return json.dumps({"value": users, "@odata.nextLink": "https://graph/v1.0/users?x"}).encode()


def _with_json(body: bytes) -> int:
    document: dict[str, Any] = json.loads(body)
    return sum(1 for user in document["value"] if user.get("accountEnabled") is True)


def _with_models(body: bytes) -> int:
    from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
    from msgraph.generated.models.user_collection_response import UserCollectionResponse

    node = JsonParseNodeFactory().get_root_parse_node("application/json", body)
    page = node.get_object_value(UserCollectionResponse)
    return sum(1 for user in page.value or [] if user.account_enabled is True)


def milliseconds_per_page(parse: Callable[[bytes], int], body: bytes) -> float:
    parse(body)  # warm imports and caches
    started = time.process_time()
    for _ in range(ROUNDS):
        parse(body)
    return 1000 * (time.process_time() - started) / ROUNDS


def report() -> str:
    body = page_body()
    plain = milliseconds_per_page(_with_json, body)
    models = milliseconds_per_page(_with_models, body)
    return (
        "## Graph page decoding, per 1,000 users\n\n"
        "| decoding | CPU per 1,000 users | 200,000 users |\n|---|---:|---:|\n"
        f"| `json.loads` (what the collector does) | {plain:.1f} ms | {plain * 200 / 1000:.1f} s |\n"
        f"| msgraph-sdk models (`UserCollectionResponse`) | {models:.1f} ms "
        f"| {models * 200 / 1000:.1f} s |\n"
    )
