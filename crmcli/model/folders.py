"""The user's own folders (XDG base directories), where crm keeps what is the user's and not
the data directory's: caches, its settings and keys. Nothing pulled through git can choose them."""

from __future__ import annotations

import os
from pathlib import Path


def user_folder(variable: str, fallback: str) -> Path:
    """An XDG base folder of the user (`XDG_CONFIG_HOME`…); a relative value is ignored, as
    the XDG specification says."""
    value = os.environ.get(variable, "")
    return Path(value) if os.path.isabs(value) else Path.home() / fallback


def cache_folder() -> Path:
    """crm's folder in the user's cache ($XDG_CACHE_HOME/crm)."""
    return user_folder("XDG_CACHE_HOME", ".cache") / "crm"
