"""Settings of a data directory (`crm.yaml`), with defaults for what it leaves out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crmcli.errors import DataDirError
from crmcli.i18n import N_, _
from crmcli.store import codec

CONFIG_FILE = "crm.yaml"

DEFAULT_CONFIG = """\
# Settings of this crm data directory. See the README for every key.
business:
  name: {name}
currency: {currency}
me: {me}
{timezone}# locale: zh             # the interface language (en or zh); default: from LANG
follow_up_every: 30d
git:
  autocommit: true
"""


DEFAULT_STAGES = ((N_("qualification"), 10), (N_("needs-analysis"), 25), (N_("proposal"), 50),
                  (N_("negotiation"), 75), (N_("won"), 100), (N_("lost"), 0))
DEFAULT_SERVICE_LEVELS = {"urgent": "4h", "high": "1d", "normal": "3d", "low": "7d"}
DEFAULT_TIERS = {N_("silver"): 100000, N_("gold"): 500000}


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
    def stages(self) -> dict[str, int]:
        """Pipeline stages in order, with their win probability in percent."""
        configured = self.raw.get("pipeline", {}).get("stages")
        if configured:
            return {stage["name"]: int(stage["probability"]) for stage in configured}
        return dict(DEFAULT_STAGES)

    @property
    def service_levels(self) -> dict[str, str]:
        return {**DEFAULT_SERVICE_LEVELS, **self.raw.get("service_levels", {})}

    @property
    def tiers(self) -> dict[str, object]:
        return dict(self.raw.get("tiers") or DEFAULT_TIERS)

    @property
    def rates(self) -> dict:
        return dict(self.raw.get("rates") or {})

    @property
    def autocommit(self) -> bool:
        """Commit each command's files to git (`git: {autocommit: true}`; off when absent)."""
        settings = self.raw.get("git")
        return isinstance(settings, dict) and settings.get("autocommit") is True

    @property
    def follow_up_every(self) -> str:
        return str(self.raw.get("follow_up_every", "30d"))

    def rule(self, name: str) -> dict | None:
        """The settings of reminder rule `name`: None when turned off, else its thresholds."""
        setting = (self.raw.get("reminders") or {}).get(name, True)
        if setting is False:
            return None
        return setting if isinstance(setting, dict) else {}

    @property
    def smtp(self) -> dict | None:
        return self.raw.get("smtp")

    @property
    def business_name(self) -> str:
        return str((self.raw.get("business") or {}).get("name") or "crm")


def load_config(root: Path) -> Config:
    """The settings as written; `crm check` validates them against the config schema
    (not done here: loading jsonschema would cost every command 50 ms)."""
    path = root / CONFIG_FILE
    try:
        raw = codec.decode(codec.read(path, links=True))
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise DataDirError(_("{path}: cannot read: {error}").format(path=path, error=error.strerror)) from error
    except codec.RecordSyntaxError as error:
        where = f"{root / CONFIG_FILE}:{error.line}" if error.line else str(root / CONFIG_FILE)
        raise DataDirError(error.message, where=where) from error
    return Config(raw)
