"""The user's own settings, outside every data directory: `$XDG_CONFIG_HOME/crm/config.yaml`.

A data directory arrives through git, so nothing in it may choose where mail goes or which
secret is sent: a pulled crm.yaml could otherwise mail `$GITHUB_TOKEN` to its author's
server from the morning cron job. Those settings are read from here only. The file is
never read through a link, is bounded in size and checked against `schemas/local.schema.json`.
"""

from __future__ import annotations

from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.i18n import N_
from crmcli.model.folders import user_folder
from crmcli.store.config import read_settings

MOVED_SMTP = N_("smtp is not read from crm.yaml, which arrives through git and so may not choose where mail goes "
                "or which secret is sent: move it to {path}")


def local_settings_path() -> Path:
    return user_folder("XDG_CONFIG_HOME", ".config") / "crm" / "config.yaml"


def smtp_settings(root: Path) -> dict | None:
    """The mail settings for the data directory at `root`: its own under `directories:` (keyed
    by its real path), else the file's `smtp:`; None when there are none. A broken file is
    one line naming it (exit 1)."""
    settings = read_settings(local_settings_path(), "local", InvalidValue) or {}
    own = (settings.get("directories") or {}).get(str(Path(root).resolve()))
    return (own if own is not None else settings).get("smtp")
