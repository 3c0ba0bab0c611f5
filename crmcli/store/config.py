"""Settings of a data directory (`crm.yaml`), with defaults for what it leaves out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crmcli.errors import DataDirError
from crmcli.store import codec

CONFIG_FILE = "crm.yaml"

DEFAULT_CONFIG = """\
# Settings of this crm data directory. See the README for every key.
business:
  name: {name}
currency: {currency}
me: {me}
{timezone}locale: en
follow_up_every: 30d
git:
  autocommit: true
"""


@dataclass(frozen=True)
class Config:
    raw: dict = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return str(self.raw.get("currency", "USD"))

    @property
    def me(self) -> str | None:
        return self.raw.get("me")

    @property
    def timezone(self) -> str | None:
        return self.raw.get("timezone")

    @property
    def follow_up_every(self) -> str:
        return str(self.raw.get("follow_up_every", "30d"))


def load_config(root: Path) -> Config:
    """The settings as written; `crm check` validates them against the config schema
    (not done here: loading jsonschema would cost every command 50 ms)."""
    path = root / CONFIG_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise DataDirError(f"{path}: cannot read: {error.strerror}")
    try:
        raw = codec.decode(data)
    except codec.RecordSyntaxError as error:
        where = f"{root / CONFIG_FILE}:{error.line}" if error.line else str(root / CONFIG_FILE)
        raise DataDirError(error.message, where=where)
    return Config(raw)
