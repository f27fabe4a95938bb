"""The base of every error a user can meet, and the ones the index itself raises.

Each message is one line that says what to do next; `exit_code` is what the CLI returns.
"""

from __future__ import annotations


class UserError(Exception):
    exit_code = 1


class IndexBusy(UserError):
    """Another process holds the one-writer lock."""

    exit_code = 6

    def __init__(self, pid: int, folders: list[str] | None = None) -> None:
        self.pid = pid
        self.folders = folders or []
        where = f" ({', '.join(self.folders)})" if self.folders else ""
        super().__init__(f"the index is being updated by process {pid}{where}")


class ModelMismatch(UserError):
    """The index was built with another embedding model; mixing vectors would be garbage."""

    exit_code = 7
