"""Task groups whose first failure is raised as itself.

`asyncio.TaskGroup` cancels the other tasks when one fails, which is what a run needs, but it
wraps the failure in an ExceptionGroup. The collector's error handling (fatal errors, exit
codes) works on plain exceptions, so the first failure is unwrapped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


async def run_all(coroutines: Iterable[Coroutine[Any, Any, Any]]) -> None:
    """Run the coroutines concurrently; when one fails, cancel the rest and raise its error."""
    try:
        async with asyncio.TaskGroup() as group:
            for coroutine in coroutines:
                group.create_task(coroutine)
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
