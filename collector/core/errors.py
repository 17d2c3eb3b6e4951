"""Fatal error classes: each carries the process exit code the contract assigns (§3.5).

Anything that is not one of these is a surface error, which never ends the run.
"""

from __future__ import annotations

from typing import ClassVar


class FatalError(Exception):
    """Ends the run with `error: <message>` on stderr and no envelope."""

    exit_code: ClassVar[int] = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(FatalError):
    exit_code = 2


class AuthError(FatalError):
    exit_code = 3


class NetworkError(FatalError):
    exit_code = 4
