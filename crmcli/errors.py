"""The user-facing error tree: each class carries the exit code of GUIDE.md §5.

One place (the CLI entry point) catches `CrmError`, prints its one line and exits
with `exit_code`; `--debug` re-raises for a traceback.
"""


class CrmError(Exception):
    """A request that cannot be done (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class NotFound(CrmError):
    """A named record does not exist."""


class Ambiguous(CrmError):
    """A name matches several records; `candidates` lists them."""

    def __init__(self, message: str, candidates: list[str]):
        super().__init__(message)
        self.candidates = candidates


class InvalidValue(CrmError):
    """A value given on the command line or found in a file is not acceptable."""


class ValidationFailed(CrmError):
    """A record does not satisfy its schema."""


class DataDirError(CrmError):
    """The data directory cannot be used: missing, unreadable, locked, full (exit 3)."""

    exit_code = 3


class GitError(CrmError):
    """Git cannot do what was asked: not installed, no repository, or a git command failed (exit 1).
    The data directory itself still works, so this is not exit 3."""
