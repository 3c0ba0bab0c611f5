"""The user-facing error tree: each class carries the exit code of GUIDE.md §5.

One place (the CLI entry point) catches `CrmError`, prints its one line and exits
with `exit_code`; `--debug` re-raises for a traceback.
"""

PIPE_CLOSED = 141
"""The exit status of a run whose reader closed the pipe (`crm search price | head -5`): what a
shell reports for `cat` or `grep` killed by SIGPIPE (128 + 13), so `set -o pipefail` scripts see
crm as they see them. GUIDE §5 has no code for it; no message is printed, as those tools print none."""


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


class Unreadable(ValueError):
    """Text in a form of the date grammar that names no day or time (`Dec 32`, `25点`); the
    message says why. Not an error of its own: model/dates.py turns it into an InvalidValue that
    names the text as it was typed. Here, not in model/phrases.py, so that an ISO date is read
    without loading the grammar."""
