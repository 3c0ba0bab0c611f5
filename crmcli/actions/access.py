"""`crm access`: the user's key, the roles' members in crm.yaml, and re-sealing protected values.

Changing who reads what re-seals every protected value for its new readers in the same
transaction that writes crm.yaml; it takes a key that reads every protected value (an owner's).
Earlier commits keep the old ciphertext, which old keys still open: that is said every time.
"""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.kinds import BY_FOLDER
from crmcli.model.locked import Locked, is_envelope
from crmcli.store import codec, fs, keys
from crmcli.store.config import CONFIG_FILE, Config
from crmcli.store.sealing import OWNER, Damaged, Policy, Sealed, Sealer, locations, lookup, recipient, stamp, unseal
from crmcli.store.validation import Problem

HISTORY_NOTE = N_("earlier commits still hold the old ciphertext, which the old keys open: "
                 "anyone who had them may have copied the data (see SECURITY.md)")


def init(repo) -> list[str]:
    """Make this user's key; in a data directory without roles, the user becomes its owner."""
    path, public = keys.make_identity()
    notes = [_("made your key {path} (keep it private, back it up)").format(path=path),
             _("your public key: {key}").format(key=public)]
    if not Policy.of(repo.config.raw).roles:
        notes += change(repo, OWNER, public, add=True)
    else:
        notes.append(_("ask an owner to run: crm access add ROLE {key}").format(key=public))
    return notes


def _valid_key(key: str) -> str:
    key = key.strip()
    if not (key.startswith("age1") or key.startswith("ssh-ed25519 ")):
        raise InvalidValue(_("{key!r} is not an age public key (age1…) or an ssh-ed25519 public key").format(
            key=key[:70]))
    recipient(key)
    return key


def change(repo, role: str, key: str, *, add: bool) -> list[str]:
    """Add `key` to `role` (or take it out), and re-seal what its readers changed for."""
    key = _valid_key(key)
    raw = dict(repo.config.raw)
    access = dict(raw.get("access") or {})
    roles = {name: list(members) for name, members in (access.get("roles") or {}).items()}
    members = roles.setdefault(role, [])
    if add:
        if key in members:
            raise InvalidValue(_("{role} has that key already").format(role=role))
        members.append(key)
    else:
        if key not in members:
            raise InvalidValue(_("{role} has no such key (crm access list)").format(role=role))
        members.remove(key)
        if role == OWNER and not members:
            raise InvalidValue(_("the last owner cannot be removed (add another owner first)"))
    access["roles"] = roles
    raw["access"] = access
    changed = reseal(repo, raw, _("access: {what} {role} key {key}").format(
        what="add" if add else "remove", role=role, key=key[:16] + "…"))
    notes = [_("{role}: {count} member(s); {values} protected value(s) re-sealed").format(
        role=role, count=len(members), values=changed)]
    if not add:
        notes.append(_(HISTORY_NOTE))
    return notes


def rotate(repo) -> list[str]:
    """Encrypt every protected value afresh (new file keys) for its readers of today."""
    changed = reseal(repo, repo.config.raw, _("access: rotate the keys of every protected value"), rekey=True)
    return [_("{values} protected value(s) encrypted afresh").format(values=changed), _(HISTORY_NOTE)]


def reseal(repo, raw: dict, message: str, *, rekey: bool = False) -> int:
    """Write crm.yaml with `raw`'s access and re-seal every record that changes for it, in one
    transaction and one commit (a kill at any point is finished or undone by the next command,
    see store/journal.py and store/pending.py); returns how many protected values were written
    anew."""
    policy = Policy.of(raw)
    written = 0
    settings_changed = raw is not repo.config.raw
    with repo.writing(message) as transaction:
        if settings_changed:
            transaction.stage(fs.confined(repo.root, CONFIG_FILE), CONFIG_FILE, _settings_text(repo, raw["access"]),
                              None)
            repo.config = Config(raw)
        repo._sealer = Sealer(policy, keys.keyring(), rekey=rekey, reseal=True)
        for folder in [folder for folder in BY_FOLDER if policy.readers(folder)]:
            for record in repo.records(BY_FOLDER[folder].name):
                old = codec.decode(codec.read(repo.path_of(record.ref)))
                record = repo.load(record.ref)
                stored = repo.sealer.sealed(folder, record.path, record.data, old)
                fresh = _differing(old, stored, policy, folder)
                if fresh:
                    written += fresh
                    transaction.update(record)
    return written


def _differing(old: dict, new: dict, policy: Policy, folder: str) -> int:
    return sum(1 for dotted in policy.readers(folder) for place in locations(new, dotted.split("."))
               if lookup(new, place) != lookup(old, place))


def _settings_text(repo, access: dict) -> bytes:
    """crm.yaml with its `access` replaced, comments and layout elsewhere kept."""
    text = codec.read(repo.root / CONFIG_FILE, links=True).decode("utf-8")
    document = codec.load_roundtrip(text)
    document["access"] = {"roles": {name: list(members) for name, members in access["roles"].items()},
                          **({"fields": access["fields"]} if "fields" in access else {})}
    return codec.dump(document).encode("utf-8")


def listing(repo) -> list[dict]:
    """Every role's members (the user's own key marked) and the fields the role reads."""
    policy = Policy.of(repo.config.raw)
    mine = set(keys.keyring().publics)
    rows = []
    for role in sorted(set(policy.roles) | set(policy.fields) | {OWNER}):
        fields = _("everything") if role == OWNER else ", ".join(policy.fields.get(role, ()))
        for key in policy.roles.get(role) or [""]:
            rows.append({"role": role, "key": key, "you": "yes" if key in mine else "", "fields": fields})
    return rows


def check(repo) -> list[Problem]:
    """Every protected value encrypted, for exactly the readers the rules give today, and one
    this user should read opens with the user's key."""
    policy = Policy.of(repo.config.raw)
    if not policy.active:
        return []  # no roles: nothing is meant to be sealed yet (crm access init)
    keyring = keys.keyring()
    problems = []
    broken = [path for path, _message, _line in repo.index.broken()]
    for folder in [folder for folder in BY_FOLDER if policy.readers(folder)]:
        paths = [record.path for record in repo.records(BY_FOLDER[folder].name)]
        for path in paths + [path for path in broken if path.startswith(folder + "/")]:
            try:
                old = codec.decode(codec.read(repo.path_of(path[:-5])))
            except (OSError, codec.RecordSyntaxError):
                continue  # crm check reports it
            for dotted, roles in policy.readers(folder).items():
                recipients = policy.recipients(roles)
                for place in locations(old, dotted.split(".")):
                    problem = _value_problem(lookup(old, place), recipients, keyring, roles)
                    if problem:
                        problems.append(Problem(path, f"{dotted}: {problem}"))
    return problems


def _value_problem(value, recipients, keyring, roles) -> str | None:
    if not is_envelope(value):
        return _("not encrypted (readable by anyone with the repository); any edit by a member seals it")
    if value.split(",", 2)[1] != stamp(recipients):
        return _("sealed for other readers than {roles} have today (crm access rotate)").format(roles=", ".join(roles))
    try:
        opened, sealed = unseal(value, keyring)
    except Damaged as error:
        return str(error)
    if isinstance(opened, Locked) and set(keyring.publics) & set(recipients):
        return _("your key should open it but does not: damaged or sealed to other keys")
    return None if sealed is None else _sealed_problem(sealed, recipients)


def _sealed_problem(sealed: Sealed, recipients: tuple[str, ...]) -> str | None:
    """What the inside of an opened value says against its readers of today: the stamp sealed
    with it, and the number of recipients age lists (which the outer stamp cannot vouch for)."""
    if sealed.bound is None:
        return _("sealed by an older crm, without its readers sealed inside (crm access rotate)")
    if sealed.bound != (stamp(recipients), len(recipients)) or sealed.stanzas != len(recipients):
        return _("sealed for {count} recipient(s), not the {today} readers of today: written by hand or "
                 "tampered with (crm access rotate)").format(count=sealed.stanzas, today=len(recipients))
    return None

