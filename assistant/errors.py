"""Errors a user can meet: each carries a one-line message that says what to do next,
and the exit code the CLI returns for it. Caught at the CLI/TUI edge, never shown as a traceback."""

from __future__ import annotations

from ingest.errors import UserError


class AssistantError(UserError):
    """Base of every user-facing error; `exit_code` is documented in the README."""

    exit_code = 1


class ConfigError(AssistantError):
    exit_code = 2


class UsageError(AssistantError):
    """A command given something it cannot use (an empty question, a path that is not
    indexed): the same code as click's own usage errors, in one line."""

    exit_code = 2


# Not an error: `ingest` did its work, but some files could not be read (each one named on
# stderr, and listed by `assistant status`). A script can tell this from success (0) and
# from nothing done at all.
SOME_FILES_FAILED = 8


class NothingIndexed(AssistantError):
    exit_code = 3

    def __init__(self) -> None:
        super().__init__("nothing is indexed yet: run `assistant ingest PATH`")


class BackendError(AssistantError):
    """A model backend that cannot answer: server down, model missing, bad response."""

    exit_code = 4


class EgressRefused(AssistantError):
    """An endpoint outside the machine that the user did not allow."""

    exit_code = 5
