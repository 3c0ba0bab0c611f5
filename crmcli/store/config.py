"""Settings of a data directory (`crm.yaml`), with defaults for what it leaves out."""

from __future__ import annotations

import hashlib
import os
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from crmcli import i18n
from crmcli.errors import CrmError, DataDirError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model import jsonish
from crmcli.model.folders import cache_folder
from crmcli.version import __version__

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


class Membership(NamedTuple):
    """`membership:` of crm.yaml: points per unit of the default currency (a Decimal), what
    tiers are measured in (`revenue` or `points`), and the prefix of new member numbers. A
    named tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of
    the cost."""

    points_per_unit: Decimal = Decimal(1)
    tiers_from: str = "revenue"
    number_prefix: str = "M"


class Config(NamedTuple):
    """The settings of crm.yaml (`raw`, as read), with what each means when absent. A named
    tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of the
    cost."""

    raw: dict

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
    def date_order(self) -> str | None:
        """How a day typed in numbers with the year last is read (`dmy`, `mdy`; see dates.DATE_ORDERS)."""
        return self.raw.get("date_order")

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
    def membership(self) -> Membership:
        settings = self.raw.get("membership") or {}
        return Membership(points_per_unit=Decimal(str(settings.get("points_per_unit", 1))),
                          tiers_from=str(settings.get("tiers_from", "revenue")),
                          number_prefix=str(settings.get("number_prefix", "M")))

    @property
    def segment_thresholds(self) -> dict[str, str]:
        """`segments:` of crm.yaml: new_for, at_risk_after, lost_after (intervals; see report segments)."""
        return {key: str(value) for key, value in (self.raw.get("segments") or {}).items()}

    @property
    def rates(self) -> dict:
        return dict(self.raw.get("rates") or {})

    @property
    def autocommit(self) -> bool:
        """Commit each command's files to git (`git: {autocommit: true}`; off when absent)."""
        settings = self.raw.get("git")
        return isinstance(settings, dict) and settings.get("autocommit") is True

    @property
    def review_orders(self) -> bool:
        """Whether an order must be reviewed (submitted) before it is confirmed: yes unless
        crm.yaml says `orders: {review: false}` (a one-person firm approves its own orders)."""
        settings = self.raw.get("orders")
        return not (isinstance(settings, dict) and settings.get("review") is False)

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
    def business_name(self) -> str:
        return str((self.raw.get("business") or {}).get("name") or "crm")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "crm"


def find_root(explicit: str | os.PathLike | None = None) -> Path:
    """--data-dir, else $CRM_DIR, else the nearest parent holding crm.yaml, else the XDG data dir."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get("CRM_DIR"):
        return Path(os.environ["CRM_DIR"]).expanduser()
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return default_data_dir()


Settings = tuple[Path, Config]
"""A data directory and its crm.yaml, as read once at the start of a run."""


def choose_language(path=None, lang: str | None = None) -> Settings | None:
    """Set the run's interface language: `lang` (--lang), else the locale in crm.yaml of the
    data directory at `path` (found as `find_root` does), else the environment's. Returns
    that directory and its settings, for `open_repo` to use rather than read them again;
    None when they cannot be read (the command then says why, in the chosen language)."""
    settings = None
    try:
        root = find_root(path)
        if (root / CONFIG_FILE).is_file():  # else nothing to read (and `crm init` may write it)
            settings = (root, load_config(root))
    except CrmError:
        pass
    i18n.use(i18n.choose(lang, settings[1].raw.get("locale") if settings else None))
    return settings


def load_config(root: Path) -> Config:
    """The settings of the data directory at `root`, checked against the config schema: a
    pulled crm.yaml is someone else's input, and a wrong type in it would otherwise surface
    as a crash in whichever command reads that key. Anything wrong is exit 3 with
    `crm.yaml:LINE: what`; no crm.yaml at all is the defaults. A crm.yaml that is a link is
    followed only within the data directory: a pulled link to another folder's settings (or to
    any file of the user's) is not read."""
    # lazy: the file layer loads in about 5 ms (python -X importtime); `crm --help` outside a
    # data directory chooses its language (see `choose_language`) without it
    from crmcli.store import fs

    try:
        fs.confined(root, CONFIG_FILE)
    except InvalidValue as error:
        raise DataDirError(str(error)) from None
    return Config(read_settings(root / CONFIG_FILE, "config", DataDirError, links=True) or {})


MAX_SETTINGS_BYTES = 256 * 1024
"""Settings files hold a few hundred bytes; a bigger one is refused before it is parsed."""


def read_settings(path: Path, schema: str, error: type[CrmError], *, links: bool = False) -> dict | None:
    """The mapping in the settings file `path`, valid against the JSON Schema `schema`; None
    when there is no such file. Anything wrong (unreadable, too big, not YAML, not valid) is
    one `error` naming `path:line`. A link is refused unless `links`."""
    # lazy: the YAML codec and the schemas load PyYAML and jsonschema's helpers, about 20 ms
    # (python -X importtime); `crm --help` outside a data directory does without them
    from crmcli.store import codec
    from crmcli.store.validation import document_problems, line_of

    try:
        data = codec.read(path, links=links)
        if len(data) > MAX_SETTINGS_BYTES:
            raise codec.RecordSyntaxError(_("file is larger than {size} KiB").format(size=MAX_SETTINGS_BYTES // 1024))
        stamp = _stamp(data, schema)
        remembered = _remembered(stamp)
        if remembered is not None:
            return remembered
        raw = codec.decode(data)
    except FileNotFoundError:
        return None
    except OSError as failure:
        raise error(_("{path}: cannot read: {error}").format(path=path, error=failure.strerror)) from None
    except codec.RecordSyntaxError as failure:
        raise error(failure.message, where=f"{path}:{failure.line}" if failure.line else str(path)) from None
    problems = document_problems(schema, raw)
    if problems:
        field, message = problems[0]
        line = line_of(data.decode("utf-8-sig"), field)
        raise error(message, where=f"{path}:{line}" if line else str(path))
    _remember(stamp, raw)
    return raw


def _stamp(data: bytes, schema: str) -> Path:
    """Where a settings file's passing its schema is remembered, with what it holds. Validating
    costs every command the import of jsonschema (about 80 ms, a quarter of `crm today`), and
    parsing the YAML the import of PyYAML (about 10 ms); a stamp costs a hash and a small JSON
    read. It is keyed by the file's bytes, the schema (and the common one it refers to) and
    crm's version, so any change is parsed and validated again, and kept in the user's cache,
    where nothing pulled can put one."""
    # lazy: the schemas load with importlib.resources, about 4 ms (python -X importtime); as in `read_settings`
    from crmcli.store.schemas import schema_bytes

    parts = (__version__.encode(), schema_bytes(schema), schema_bytes("common"), data)
    digest = hashlib.sha256(b"\0".join(parts)).hexdigest()
    return cache_folder() / "valid-settings" / digest


def _remembered(stamp: Path) -> dict | None:
    """The settings a stamp remembers (as model/jsonish.py writes them), or None: no stamp, or
    one that cannot be read (an empty one, as crm wrote before it kept the settings too)."""
    try:
        with open(stamp, encoding="utf-8") as file:
            value = jsonish.loads(file.read())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _remember(stamp: Path, raw: dict) -> None:
    """Leave the stamp, whole (written aside and renamed); a cache that cannot be written only
    means parsing and validating again next time."""
    try:
        stamp.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        aside = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(jsonish.dumps(raw))
        os.replace(aside, stamp)
    except OSError:
        pass
