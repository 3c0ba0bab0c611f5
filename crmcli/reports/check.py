"""`crm check`: every file against its schema, references, ids, likely duplicate parties.

Problems are data, not exceptions (the beancount way): each `check_*` function takes
the loaded files and returns a list of Problems; `run_checks` runs them all.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crmcli.errors import GitError, InvalidValue
from crmcli.i18n import _
from crmcli.model.chronology import IN_ORDER, out_of_order
from crmcli.model.kinds import BY_FOLDER, PARTY_KINDS, kind_of_ref, known_kind, plays
from crmcli.model.likeness import duplicate_keys
from crmcli.model.locked import without_locked
from crmcli.model.money import MINOR_UNITS
from crmcli.model.orders import totals
from crmcli.model.record import Record
from crmcli.model.taxids import tax_id_problem
from crmcli.model.text import fold
from crmcli.store import codec, git, signatures
from crmcli.store.collisions import ABORT, new_ref, twins_between, unmerged_twins
from crmcli.store.config import CONFIG_FILE
from crmcli.store.fs import confined, sha256_of
from crmcli.store.local import MOVED_SMTP, local_settings_path
from crmcli.store.questions import Match
from crmcli.store.validation import Problem, line_of, schema_problems


class Stream:
    """The readable records of some kinds (all when none), in the order of their references,
    read from the index again each time they are gone through, a batch at a time: `crm check`
    of 100k records holds a few hundred of them, not all (store/questions.py, `each`)."""

    def __init__(self, repo, kinds: tuple[str, ...] = ()):
        self.repo = repo
        self.kinds = kinds

    def __iter__(self) -> Iterator[Record]:
        return self.repo.ask.each(Match(kinds=self.kinds, every_day=True))


PARTIES = tuple(kind.name for kind in PARTY_KINDS)


@dataclass
class Loaded:
    """What `crm check` looks at: readable records, and the files that could not be read."""

    records: Stream
    broken: list[Problem]
    root: Path
    past: bool = False
    """Under `--at`: the files are an old revision's, and git's state is not theirs."""

    def of(self, *kinds: str) -> Stream:
        """The readable records of these kinds only, in the same order."""
        return Stream(self.records.repo, kinds)

    def line(self, record: Record, field: list) -> int | None:
        try:
            return line_of(codec.read(self.root / record.path).decode("utf-8"), field)
        except (OSError, UnicodeDecodeError, codec.RecordSyntaxError):
            return None


def check_ids(loaded: Loaded) -> list[Problem]:
    """Ids that differ from their file's name, records filed in the wrong folder, and one id
    held by two records of a kind (asked of the index, so no set of every id is held)."""
    problems = []
    for record in loaded.records:
        file_id = record.ref.rsplit("/", 1)[-1]
        record_id = record.data.get("id")
        if record_id != file_id:
            problems.append(Problem(record.path, _("id {id!r} differs from the file name {name!r}").format(
                id=record_id, name=file_id), loaded.line(record, ["id"])))
            continue
        expected = _expected_ref(record)
        if expected and expected != record.ref:
            problems.append(Problem(record.path, _("filed in the wrong folder: belongs at {ref}.yaml").format(
                ref=expected), loaded.line(record, [record.kind.dated_by])))
    for first, *others in loaded.records.repo.ask.repeated_ids(Match(every_day=True)):
        problems += [Problem(path, _("the same id as {path}").format(path=first)) for path in others]
    return problems


def _expected_ref(record: Record) -> str | None:
    try:
        return record.kind.ref(record.data)
    except (KeyError, TypeError):
        return None


def check_references(loaded: Loaded) -> list[Problem]:
    contacts = {party.ref: frozenset(fold(str(c.get("name", ""))) for c in party.data.get("contacts") or [])
                for party in loaded.of(*PARTIES)}
    unreadable = {problem.path[:-5] for problem in loaded.broken}
    problems = []
    for record in loaded.records:
        target = record.data.get("party")
        if not isinstance(target, str) or record.kind.is_party:
            continue
        known = contacts.get(target)
        if known is None and target in unreadable:
            continue
        if known is None:
            problems.append(Problem(record.path, _("party {ref!r} does not exist").format(ref=target),
                                    loaded.line(record, ["party"])))
            continue
        contact = record.data.get("contact")
        if contact and fold(str(contact)) not in known:
            problems.append(Problem(record.path, _("{party} has no contact {name!r}").format(
                party=target, name=contact), loaded.line(record, ["contact"]), severity="warning"))
    return problems


def check_party_rules(loaded: Loaded) -> list[Problem]:
    problems = []
    for record in loaded.of(*PARTIES):  # only parties have contacts (schemas/party.schema.json)
        primaries = [c for c in record.data.get("contacts") or [] if isinstance(c, dict) and c.get("primary")]
        if len(primaries) > 1:
            problems.append(Problem(record.path, _("{count} contacts are marked primary; keep one").format(
                count=len(primaries)), loaded.line(record, ["contacts"]), severity="warning"))
    return problems


def check_tax_ids(loaded: Loaded) -> list[Problem]:
    """Tax ids that fail their country's rule (written before crm checked them, or by hand)."""
    problems = []
    for record in loaded.of(*PARTIES):
        problem = tax_id_problem(record.data)
        if problem:
            problems.append(Problem(record.path, problem, loaded.line(record, ["tax_id"])))
    return problems


def check_member_numbers(loaded: Loaded) -> list[Problem]:
    """A member number held by two parties (two clones that each gave out the next one)."""
    holders: dict[str, str] = {}
    problems = []
    for record in loaded.of(*PARTIES):
        membership = record.data.get("membership")
        number = membership.get("number") if isinstance(membership, dict) else None
        if number is None:
            continue
        if str(number) in holders:
            problems.append(Problem(record.path, _("member number {number} belongs to {ref}").format(
                number=number, ref=holders[str(number)]), loaded.line(record, ["membership", "number"])))
        else:
            holders[str(number)] = record.ref
    return problems


def check_duplicates(loaded: Loaded) -> list[Problem]:
    holders: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for record in loaded.of(*PARTIES):
        for what, key in duplicate_keys(record.data):
            holders[(record.kind.name, what, key)].append(record.ref)
    problems = []
    reported = set()
    for (_kind, what, _key), held_by in sorted(holders.items()):
        refs = tuple(sorted(set(held_by)))
        if len(refs) > 1 and refs not in reported:
            reported.add(refs)
            problems.append(Problem(f"{refs[1]}.yaml", _("looks like a duplicate of {ref} (same {key})").format(
                ref=refs[0], key=_(what)), severity="warning"))
    return problems


def check_dates_in_order(loaded: Loaded) -> list[Problem]:
    """Dates of a record that come before the one they follow (model/chronology.py)."""
    return [Problem(record.path, message, loaded.line(record, field))
            for kind in IN_ORDER for record in loaded.of(kind)
            for field, message in out_of_order(kind, without_locked(record.data))]


def check_orders(loaded: Loaded) -> list[Problem]:
    """Totals that match their lines, the right kind of party, products that exist."""
    skus = {r.id for r in loaded.of("product")}
    roles = {party.ref: frozenset(role for role in ("customer", "supplier") if plays(party.kind, party.data, role))
             for party in loaded.of(*PARTIES)}
    problems = []
    for record in loaded.of("order"):
        data = record.data
        if data["currency"] not in MINOR_UNITS:
            problems.append(Problem(record.path, _("unknown currency {currency!r}").format(currency=data["currency"]),
                                    loaded.line(record, ["currency"])))
            continue
        expected = totals(data["lines"], data["currency"])
        for key in ("net", "tax", "gross"):
            if expected[key] != data["totals"].get(key):
                problems.append(Problem(record.path, _("totals.{key} is {stored} but the lines make {expected}").format(
                    key=key, stored=data["totals"].get(key), expected=expected[key]), loaded.line(record, ["totals"])))
        wanted = "customers/" if data["kind"] == "sale" else "suppliers/"
        role = "customer" if data["kind"] == "sale" else "supplier"
        if not data["party"].startswith(wanted) and role not in roles.get(data["party"], ()):
            problems.append(Problem(record.path, _("a {kind} order needs a party in {folder}").format(
                kind=_(data["kind"]), folder=wanted), loaded.line(record, ["party"])))
        for position, line in enumerate(data["lines"]):
            if line.get("sku") and skus and line["sku"] not in skus:
                problems.append(Problem(record.path, _("product {sku!r} is not in the catalog").format(
                    sku=line["sku"]), loaded.line(record, ["lines", position, "sku"]), severity="warning"))
    return problems


def check_attachments(loaded: Loaded) -> list[Problem]:
    """Every attached file is there, in the record's own folder of attachments/, and unchanged
    since it was attached (sha256)."""
    problems = []
    for record in loaded.records:
        for position, attachment in enumerate(record.data.get("attachments") or []):
            where = loaded.line(record, ["attachments", position, "path"])
            try:
                if not attachment["path"].startswith(f"attachments/{record.id}/"):
                    raise InvalidValue(_("not in attachments/{id}/").format(id=record.id))
                path = confined(loaded.root, attachment["path"])
            except InvalidValue as error:
                problems.append(Problem(record.path, _("attachment {path!r}: {error}").format(
                    path=attachment["path"], error=error.message), where))
                continue
            if path.is_symlink() or not path.is_file():
                problems.append(Problem(record.path, _("attachment {path} is missing").format(
                    path=attachment["path"]), where))
            elif sha256_of(path) != attachment["sha256"]:
                problems.append(Problem(record.path, _("attachment {path} has changed since it was attached "
                                                       "(sha256 differs)").format(path=attachment["path"]), where))
        document = record.data.get("document")
        if document and document != f"{record.ref}.md":
            problems.append(Problem(record.path, _("document {path} is not this record's own ({own})").format(
                path=document, own=f"{record.ref}.md"), loaded.line(record, ["document"])))
        elif document and not (loaded.root / document).is_file():
            problems.append(Problem(record.path, _("document {path} is missing").format(path=document),
                                    loaded.line(record, ["document"]),
                                    severity="warning"))
    return problems


def check_links(loaded: Loaded) -> list[Problem]:
    """Folders crm reads or writes besides the record folders (whose links the index already
    reports) that are links out of the data directory: crm does not follow them."""
    root = loaded.root
    folders = [root / ".crm", root / "templates", root / "attachments"]
    if (root / "attachments").is_dir() and not (root / "attachments").is_symlink():
        folders += sorted((root / "attachments").iterdir())
    problems = []
    for folder in folders:
        try:
            outside = folder.is_symlink() and not folder.resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError):
            outside = True
        if outside:
            problems.append(Problem(folder.relative_to(root).as_posix(),
                                    _("a link out of the data directory: crm does not follow it")))
    return problems


CONFLICT_MARKER = re.compile(rb"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)
UNSCANNED = {".git", ".crm", "attachments"}


def check_conflict_markers(loaded: Loaded) -> list[Problem]:
    """Git conflict markers left in files that are not records (records that hold them do
    not parse, and are reported with the files the index could not read)."""
    problems = []
    for folder, folders, files in os.walk(loaded.root):
        relative = os.path.relpath(folder, loaded.root)
        if relative == ".":
            folders[:] = [name for name in folders if name not in UNSCANNED]
        for name in files:
            path = name if relative == "." else f"{relative}/{name}".replace(os.sep, "/")
            if path == CONFIG_FILE or (name.endswith(".yaml") and kind_of_ref(path)):
                continue
            try:  # a regular file, not a link, FIFO or device, of at most the size of a record
                data = codec.read(os.path.join(folder, name))
            except (OSError, codec.RecordSyntaxError):
                continue
            found = CONFLICT_MARKER.search(data)
            if found and b"\0" not in data:
                problems.append(Problem(path, _("unresolved git merge conflict markers"),
                                        data[:found.start()].count(b"\n") + 1))
    return problems


def check_local_only_settings(loaded: Loaded) -> list[Problem]:
    """An `smtp:` block left in crm.yaml, which is no longer obeyed: where mail goes and which
    secret is sent are the user's own settings (`store/local.py`)."""
    data = codec.read(loaded.root / CONFIG_FILE, links=True)
    if "smtp" not in codec.decode(data):
        return []
    return [Problem(CONFIG_FILE, _(MOVED_SMTP).format(path=local_settings_path()),
                    line_of(data.decode("utf-8-sig"), ["smtp"]), severity="warning")]


def check_twin_ids(loaded: Loaded) -> list[Problem]:
    """One id created on two sides as two different records (store/collisions.py): in a pull
    that stopped on it, or between this clone's commits and the upstream it fetched. Either
    way `crm sync` is the fix: it keeps the other side's id and gives ours another."""
    if loaded.past or not git.maybe_in_git(loaded.root):
        return []
    try:
        tree = git.work_tree(loaded.root)
        busy = tree.in_progress()
        if busy:
            return [_twin_problem(tree, twin, _("from the other side of {busy}").format(busy=_(busy)),
                                  ABORT.get(busy), ("HEAD",)) for twin in unmerged_twins(tree)]
        upstream = tree.out("rev-parse", "-q", "--verify", "--abbrev-ref", "@{upstream}", check=False)
        if not upstream:
            return []
        return [_twin_problem(tree, twin, _("on {upstream}").format(upstream=upstream), None, ("HEAD", "@{upstream}"))
                for twin in twins_between(tree, "HEAD", "@{upstream}")]
    except GitError:
        return []


def _twin_problem(tree, twin, where: str, abort: str | None, revisions: tuple[str, ...]) -> Problem:
    """A twin as `crm check` reports it: both records, where the other one is, and the fix
    (first stepping out of a stopped pull with `abort`)."""
    fix = _("crm sync gives yours another id ({new}), with every record that names it, and keeps theirs").format(
        new=new_ref(tree, twin, revisions))
    if abort:
        fix = _("run {abort}, then {fix}").format(abort=abort, fix=fix)
    return Problem(twin.path, _("{ours} here and {theirs} {where} were both added as {id}, two records with one id: "
                                "{fix}").format(ours=twin.described(twin.ours), theirs=twin.described(twin.theirs),
                                                where=where, id=twin.ref, fix=fix))


CHECKS = (check_ids, check_references, check_party_rules, check_tax_ids, check_member_numbers, check_duplicates,
          check_dates_in_order, check_orders, check_attachments, check_links, check_conflict_markers,
          check_local_only_settings, check_twin_ids)
SYNC_CHECKS = (check_ids, check_references, check_duplicates, check_conflict_markers)
"""What two clones' merged data may have gained: the same id twice, the same party twice,
references to what the other side removed, conflicts left over."""


def _problems_of(root, path: str, error: str, line: int | None) -> list[Problem]:
    """Every problem of a file the index could not take: its YAML error, or each schema problem."""
    try:
        data = codec.read(root / path)
        record = codec.decode(data)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError, codec.RecordSyntaxError):
        return [Problem(path, error, line)]
    problems = [Problem(path, message, line_of(text, field))
                for field, message in schema_problems(known_kind(path), record)]
    return problems or [Problem(path, error, line)]


def _unreadable_folders(root) -> list[Problem]:
    """Record folders that cannot be opened: the index skips their files with a warning, and
    `crm check` must not pass over them as if they were empty."""
    problems = []

    def failed(error: OSError) -> None:
        path = os.path.relpath(error.filename, root).replace(os.sep, "/")
        problems.append(Problem(path, _("cannot read: {error}").format(error=error.strerror)))

    for folder in BY_FOLDER:
        top = root / folder
        if top.is_dir() and not top.is_symlink():
            for _walked in os.walk(top, onerror=failed):
                pass
    return problems


def load_for_check(repo) -> Loaded:
    """All records, and the files (and folders) that could not be taken as problems (out of the
    run's warnings)."""
    broken = [problem for row in repo.index.broken() for problem in _problems_of(repo.root, *row)]
    broken += _unreadable_folders(repo.root)
    paths = {problem.path for problem in broken}
    repo.warnings[:] = [w for w in repo.warnings if w.path not in paths]
    return Loaded(Stream(repo), broken, repo.root, past=repo.revision is not None)


def run_checks(repo, checks=CHECKS) -> list[Problem]:
    """Every problem in the data directory, errors and warnings, in file order. Schema
    problems come with the files the index refused (it validates every file it reads);
    crm.yaml's are found before, when it is loaded (exit 3: nothing works without it)."""
    loaded = load_for_check(repo)
    problems = list(loaded.broken)
    for check in checks:
        problems.extend(check(loaded))
    return sorted(problems, key=lambda p: (p.path, p.line or 0))



def signature_problems(repo, since: str | None = None) -> list[Problem]:
    """`crm check --signatures`: every commit (after `since`) not signed by a key of the
    repository's allowed_signers list (see store/signatures.py)."""
    return signatures.problems(repo.work_tree(), repo.live_root or repo.root, f"{since}..HEAD" if since else "HEAD")
