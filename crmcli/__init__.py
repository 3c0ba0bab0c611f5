"""crm: a command-line CRM whose records are YAML files in a git-tracked data directory.

The package is a library first; the `crm` command is a thin face over it:

    from crmcli import open_repo
    repo = open_repo("examples/demo")
"""

from crmcli.version import __version__

__all__ = ["__version__", "open_repo"]


def open_repo(path=None, **kwargs):
    """Open the data directory at `path` (or the one found as `crm` finds it)."""
    # lazy: the store loads in about 280 ms (python -X importtime -c 'import crmcli');
    # `crm --version` and `from crmcli import __version__` do without it
    from crmcli.store.repo import open_repo as _open

    return _open(path, **kwargs)
