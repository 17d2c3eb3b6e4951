"""G3 `/users`: directory counts, aggregated page by page (only id, accountEnabled, userType).

Only opaque object IDs are kept (lower-cased, for joins with registration and role data);
no name, UPN or mail is requested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.request_information import RequestInformation
from msgraph import GraphServiceClient
from msgraph.generated.users.users_request_builder import UsersRequestBuilder

from collector.graph import GraphReader
from collector.metrics import pct

SELECT = ["id", "accountEnabled", "userType"]


def request(client: GraphServiceClient) -> RequestInformation:
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(select=SELECT, top=999)
    return client.users.to_get_request_information(RequestConfiguration(query_parameters=query))


def next_request(client: GraphServiceClient, url: str) -> RequestInformation:
    return client.users.with_url(url).to_get_request_information()


@dataclass
class UserDirectory:
    """USERS/UID/EM of contract §5.0, as counts and opaque ID sets."""

    total_count: int = 0
    guest_count: int = 0
    disabled_count: int = 0
    user_ids: set[str] = field(default_factory=set)
    enabled_member_ids: set[str] = field(default_factory=set)
    guest_ids: set[str] = field(default_factory=set)

    def add_page(self, users: Iterable[dict[str, Any]]) -> None:
        for user in users:
            self.total_count += 1
            user_type = user.get("userType")
            if user_type == "Guest":
                self.guest_count += 1
            if user.get("accountEnabled") is False:
                self.disabled_count += 1
            raw_id = user.get("id")
            if not isinstance(raw_id, str) or not raw_id:
                continue
            user_id = raw_id.lower()
            if user_id in self.user_ids:
                continue  # user(x) is the first object with id x
            self.user_ids.add(user_id)
            if user_type == "Guest":
                self.guest_ids.add(user_id)
            if user.get("accountEnabled") is True and user_type == "Member":
                self.enabled_member_ids.add(user_id)

    @property
    def enabled_member_count(self) -> int:
        return len(self.enabled_member_ids)

    @property
    def guest_pct(self) -> int | None:
        return pct(self.guest_count, self.total_count)

    @property
    def disabled_pct(self) -> int | None:
        return pct(self.disabled_count, self.total_count)


async def fetch(reader: GraphReader) -> UserDirectory:
    """List every user once and aggregate as pages arrive."""
    directory = UserDirectory()
    async for page in reader.pages(request, next_request):
        directory.add_page(page)
    return directory
