"""Protected fields: encrypted field by field in the record files, opened with the user's key.

A protected field's whole value is stored as one envelope, `ENC[age,<stamp>,<base64>]`: the
value as JSON, encrypted with age to the members of every role allowed to read it (and always
to `owner`); the stamp names that set of recipients, so a changed set is seen without a key.
The stamp and the number of recipients are sealed inside too (`BOUND`, a first line before
the JSON), so whoever opens the value sees a stamp edited afterwards (an old envelope from
history, still open to a removed member, relabelled as sealed for today's readers): the
value is refused as tampered with, and `crm access check` with a key compares what was
sealed inside, and the number of recipients age lists, with the readers of today. Without a
key only the outer stamp can be read (SECURITY.md says so).
A diff shows which field changed, and the merge driver merges different fields as it merges
any text.

Opening happens when a record is loaded (`opened`), sealing when it is saved (`Sealer.sealed`):
the model never sees ciphertext, only values or a `Locked`. A value saved unchanged keeps its
envelope byte for byte (no churn in git), a locked one is written back as it was, and a value
the user cannot read cannot be replaced. crm.yaml (which arrives through git) may name public
keys and fields, never where a private key is read from; envelopes and their headers are bounded.
"""

from __future__ import annotations

import base64
import hashlib
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model import jsonish
from crmcli.model.locked import ENVELOPE, MARK, Locked, is_envelope
from crmcli.store.document import same
from crmcli.store.keys import NO_KEYS, Keyring

MAX_ENVELOPE = 64 * 1024
MAX_STANZAS = 64
"""Recipients one envelope may list: each costs a key agreement to try, and a hostile file
could otherwise list thousands."""
OWNER = "owner"
DEFAULT_FIELDS = {
    "sales": ("parties.phones", "parties.emails", "parties.contacts.phones", "parties.contacts.emails",
              "parties.contacts.wechat", "parties.contacts.im"),
    "finance": ("parties.tax_id", "parties.custom.bank", "orders.payments"),
}
"""What each role reads when crm.yaml's `access.fields` says nothing: contacts' phones, emails and
messenger handles for sales; tax ids, bank details and the payments of sales and purchase
orders for finance. `owner` reads everything."""
PARTY_FOLDERS = ("customers", "suppliers")


BOUND = b"crm-sealed-for "
"""The first line of a value's plaintext: `crm-sealed-for <stamp> <count of recipients>`.
JSON never starts so, which tells it from a value sealed by an older crm (plain JSON)."""


class Damaged(Exception):
    """An envelope that is not a valid encrypted value (tampered, truncated, not age)."""


class Policy(NamedTuple):
    """`access` of crm.yaml: the roles' public keys and which fields each role reads. A named
    tuple, as Sealed, not a frozen dataclass: every write defines them, at a fraction of the cost."""

    roles: dict[str, tuple[str, ...]]
    fields: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, raw: dict) -> Policy:
        access = raw.get("access") or {}
        roles = {name: tuple(keys or ()) for name, keys in (access.get("roles") or {}).items()}
        fields = access.get("fields")
        rules = {name: tuple(paths or ()) for name, paths in fields.items()} if fields is not None else DEFAULT_FIELDS
        return cls(roles, rules)

    @property
    def active(self) -> bool:
        return bool(self.roles)

    def readers(self, folder: str) -> dict[str, tuple[str, ...]]:
        """Protected field (dotted) of records in `folder` → the roles that read it (owner first)."""
        found: dict[str, list[str]] = {}
        for role, paths in self.fields.items():
            for rule in paths:
                where, _dot, path = rule.partition(".")
                if where == folder or (where == "parties" and folder in PARTY_FOLDERS):
                    found.setdefault(path, [OWNER])
                    if role not in found[path]:
                        found[path].append(role)
        return {path: tuple(roles) for path, roles in found.items()}

    def recipients(self, roles: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({key for role in roles for key in self.roles.get(role, ())}))


def stamp(recipients: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(sorted(recipients)).encode()).hexdigest()[:12]


def recipient(key: str):
    # lazy: every command that reads records loads this module, few seal or open a value
    import pyrage

    try:
        if key.startswith("ssh-"):
            return pyrage.ssh.Recipient.from_str(key)
        return pyrage.x25519.Recipient.from_str(key)
    except (pyrage.RecipientError, ValueError):
        raise InvalidValue(_("{key!r} is not an age or ssh-ed25519 public key").format(key=key[:70]),
                           where="crm.yaml: access.roles") from None


def seal(value, recipients: tuple[str, ...]) -> str:
    """The envelope of `value` for `recipients`."""
    label = stamp(recipients)
    plain = BOUND + f"{label} {len(recipients)}\n".encode("ascii") + jsonish.dumps(value).encode("utf-8")
    import pyrage  # lazy: as in `recipient`

    ciphertext = pyrage.encrypt(plain, [recipient(key) for key in recipients])
    return f"{MARK}{label},{base64.b64encode(ciphertext).decode('ascii')}]"


class Sealed(NamedTuple):
    """What opening an envelope learnt besides the value: the stamp and number of recipients
    sealed inside (None for a value an older crm sealed) and the recipients age lists."""

    bound: tuple[str, int] | None
    stanzas: int


def open_value(text: str, keys: Keyring):
    """The value in envelope `text`, or a Locked when none of `keys` opens it; Damaged when it is
    no valid envelope at all, or its stamp is not the one sealed inside."""
    return unseal(text, keys)[0]


def unseal(text: str, keys: Keyring) -> tuple[object, Sealed | None]:
    """(`open_value`'s value, what was sealed with it, None when it stays locked)."""
    matched = ENVELOPE.match(text) if len(text) <= MAX_ENVELOPE else None
    if matched is None:
        raise Damaged(_("not a valid encrypted value (damaged, or larger than 64 KiB)"))
    ciphertext = base64.b64decode(matched.group(2))
    header = ciphertext.split(b"\n---", 1)[0]
    if not ciphertext.startswith(b"age-encryption.org/v1\n") or header.count(b"\n-> ") > MAX_STANZAS:
        raise Damaged(_("not a valid encrypted value (not age, or more than {most} recipients)").format(
            most=MAX_STANZAS))
    if not keys.identities:
        return Locked(text), None
    import pyrage  # lazy: as in `recipient`

    try:
        plain = pyrage.decrypt(ciphertext, list(keys.identities))
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            return Locked(text), None
        raise Damaged(_("the encrypted value is damaged or was tampered with ({error})").format(error=error)) from None
    bound = None
    if plain.startswith(BOUND):
        first, _newline, plain = plain.partition(b"\n")
        label, _space, count = first[len(BOUND):].decode("ascii", "replace").partition(" ")
        if label != matched.group(1) or not count.isdigit():
            raise Damaged(_("its recipients stamp is not the one it was sealed with (changed after sealing: "
                            "tampered with)"))
        bound = (label, int(count))
    try:
        return jsonish.loads(plain.decode("utf-8")), Sealed(bound, _recipient_stanzas(header))
    except ValueError:
        raise Damaged(_("the encrypted value does not hold a value crm wrote")) from None


def _recipient_stanzas(header: bytes) -> int:
    """How many recipients an age header lists (age adds a random "grease" stanza, not one)."""
    return sum(1 for line in header.split(b"\n") if line.startswith((b"-> X25519 ", b"-> ssh-ed25519 ")))


def opened(value, keys: Keyring, path: str = ""):
    """`value` (a record as its file holds it) with every envelope opened, or Locked.
    Raises Damaged naming the field."""
    if isinstance(value, dict):
        return {key: opened(item, keys, f"{path}.{key}" if path else key) for key, item in value.items()}
    if isinstance(value, list):
        return [opened(item, keys, path) for item in value]
    if isinstance(value, str) and value.startswith(MARK):
        try:
            return open_value(value, keys)
        except Damaged as error:
            raise Damaged(f"{path}: {error}") from None
    return value


def to_file(value):
    """A copy of `value` as a file holds it: every Locked written back as its envelope."""
    if isinstance(value, dict):
        return {key: to_file(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_file(item) for item in value]
    return value.envelope if isinstance(value, Locked) else value


def locations(value, parts: list[str], at: tuple = ()):
    """The concrete places (keys and list positions) of dotted field `parts` in `value`."""
    if not parts:
        yield at
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from locations(item, parts, (*at, position))
    elif isinstance(value, dict) and value.get(parts[0]) is not None:
        yield from locations(value[parts[0]], parts[1:], (*at, parts[0]))


def lookup(value, place: tuple):
    for step in place:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _put(value, place: tuple, new) -> None:
    for step in place[:-1]:
        value = value[step]
    value[place[-1]] = new


class Sealer:
    """Seals records for saving, by the rules of one crm.yaml, with one user's keys. A plain
    class, not a dataclass: every write defines it, and a dataclass costs about half a
    millisecond to define."""

    def __init__(self, policy: Policy, keys: Keyring = NO_KEYS, *, rekey: bool = False, reseal: bool = False):
        self.policy = policy
        self.keys = keys
        self.rekey = rekey
        """Encrypt every protected value afresh (`crm access rotate`): nothing is reused."""
        self.reseal = reseal
        """Readers changed (`crm access add`, `remove`): an envelope sealed for other readers than the
        rules give is sealed again. With either, a value this user cannot read stops the command."""

    def sealed(self, folder: str, path: str, record: dict, old: dict | None) -> dict:
        """`record` as its file is to hold it; `old` is the file as it was (envelopes unopened)."""
        out = to_file(record)
        if not self.policy.active:
            return out
        for dotted, roles in self.policy.readers(folder).items():
            recipients = self.policy.recipients(roles)
            if not recipients:
                raise InvalidValue(_("{field} is protected but no role that reads it has a member (crm access add "
                                     "owner KEY)").format(field=dotted), where="crm.yaml")
            for place in list(locations(out, dotted.split("."))):
                value = lookup(out, place)
                before = lookup(old, place) if old is not None else None
                if is_envelope(value) and not self.rekey and (
                        not self.reseal or value.split(",", 2)[1] == stamp(recipients)):
                    continue  # as stored (a locked value, or an envelope written by hand)
                if is_envelope(value):
                    before, value = value, self._open(value, path, place)
                elif isinstance(before, str) and is_envelope(before):
                    previous = self._open(before, path, place)
                    if not self.rekey and before.split(",", 2)[1] == stamp(recipients) and same(previous, value):
                        _put(out, place, before)
                        continue
                _put(out, place, seal(value, recipients))
        return out

    def _open(self, envelope: str, path: str, place: tuple):
        where = ".".join(str(step) if isinstance(step, str) else f"[{step}]" for step in place).replace(".[", "[")
        try:
            value = open_value(envelope, self.keys)
        except Damaged as error:
            raise InvalidValue(f"{where}: {error}", where=path) from None
        if isinstance(value, Locked):
            raise InvalidValue(_("{field} is encrypted and your key cannot read it, so it cannot be changed here "
                                 "(a member of a role that reads it can)").format(field=where), where=path)
        return value
