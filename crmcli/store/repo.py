"""A data directory opened for use: finding it, reading records, writing them safely.

All writes go through `Repo.writing()`, a transaction that holds the writers' lock,
validates each record against its schema, stages every file as a synced temporary
file, and only when all are staged moves them into place and updates the index. A
command that fails therefore writes nothing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from crmcli.errors import DataDirError, GitError, InvalidValue, NotFound, ValidationFailed
from crmcli.i18n import _
from crmcli.model.dates import Clock, local_zone, moment_text, read_day
from crmcli.model.ids import random_id
from crmcli.model.kinds import KINDS, Kind, kind_of_ref
from crmcli.model.locked import Locked, holds_envelopes
from crmcli.model.notices import SET_UP, Notice
from crmcli.model.record import Record
from crmcli.store import codec, document, fs, git, gitsetup, keys, pending, state
from crmcli.store.config import CONFIG_FILE, Config, Settings, find_root, load_config
from crmcli.store.index import Index
from crmcli.store.journal import JOURNAL, Journal, recover
from crmcli.store.lock import lock_if_free, writer_lock
from crmcli.store.questions import Match, Questions
from crmcli.store.validation import refuse_invalid

if TYPE_CHECKING:
    from collections.abc import Callable

    from crmcli.store.index import Index
    from crmcli.store.sealing import Sealer



def open_repo(path=None, *, today: str | None = None, at: str | None = None,
              settings: Settings | None = None, throwaway_state: Path | None = None) -> Repo:
    """The data directory at `path` (or found as `find_root` does); with `at`, as it was at
    that git revision or date, read-only. `settings`, read earlier in the run by
    `choose_language`, are used when they are this directory's. `throwaway_state` is for a
    copy that goes when the run ends (the staged records the pre-commit hook checks): its
    index is kept there, not in the user's cache where each commit left one, and no watcher
    is started for it."""
    root = find_root(path)
    if not root.is_dir():
        raise DataDirError(_("{root}: no such data directory (create one with: crm init {root})").format(root=root))
    if not (root / CONFIG_FILE).is_file():
        raise DataDirError(_("{root}: not a crm data directory, it has no {config} (create one with: crm init {root})")
                           .format(root=root, config=CONFIG_FILE))
    if not os.access(root, os.R_OK | os.X_OK):
        raise DataDirError(_("{root}: cannot read the data directory: permission denied").format(root=root))
    config = settings[1] if settings is not None and settings[0] == root else load_config(root)
    clock = Clock.create(local_zone(config.timezone), today, config.date_order, pinned_now=os.environ.get("CRM_TODAY"))
    if at:
        return _open_past(root, clock, at, today or os.environ.get("CRM_TODAY"))
    repo = Repo(root, config, clock, autocommit=config.autocommit, state_folder=throwaway_state,
                watched=throwaway_state is None)
    repo.recover()
    repo.set_up_git()
    return repo


def _open_past(root: Path, clock: Clock, at: str, today: str | None) -> Repo:
    """The data directory as of revision or date `at`, from an extract in the cache; a date
    also becomes "today" unless one was given."""
    tree = git.work_tree(root)
    sha, day = git.resolve_revision(tree, at, clock)
    extracts = state.ensure(state.state_dir(root)) / "at"
    past = git.snapshot(tree, sha, extracts)
    if not (past / CONFIG_FILE).is_file():
        raise GitError(_("--at {at}: {root} was not a crm data directory at {commit}").format(at=at, root=root,
                                                                                             commit=sha[:12]))
    config = load_config(past)
    clock = Clock.create(local_zone(config.timezone), today or (day.isoformat() if day else None),
                         config.date_order, pinned_now=os.environ.get("CRM_TODAY"))
    return Repo(past, config, clock, revision=sha, live_root=root, state_folder=past.parent / "state", watched=False)


class Repo:
    """One data directory, open. A plain class, not a dataclass: every command defines it at
    start-up, and a dataclass of this size costs about a millisecond to define."""

    def __init__(self, root: Path, config: Config, clock: Clock, *, autocommit: bool = False,
                 revision: str | None = None, live_root: Path | None = None, state_folder: Path | None = None,
                 watched: bool = True):
        self.root = root
        self.config = config
        self.clock = clock
        self.warnings: list[Notice] = []
        self.autocommit = autocommit
        """Commit each transaction's files to git (`git.autocommit`, unless `--no-commit`)."""
        self.revision = revision
        """Under `--at`: the commit this data is from; `root` is then its extract, and writes are refused."""
        self.live_root = live_root
        """Under `--at`: the data directory itself, where git runs."""
        self.state_folder = state_folder
        """Where the derived state is kept, when not where `store.state` puts it (an `--at` extract's)."""
        self.watched = watched
        """Whether the index may start a watcher of the files (not for an extract or a throwaway copy)."""
        self.progress: Callable[[int, int], None] | None = None
        """Told `(files done, files to do)` while a refresh reads files (a first command's cold
        build reads them all): the command line shows a bar with it on a terminal."""
        self._index: Index | None = None
        self._sealer: Sealer | None = None

    @property
    def cache_dir(self) -> Path:
        """The derived-state folder (index, journal, lock): outside the work tree, see store/state.py."""
        if self.state_folder is None:
            self.state_folder = state.state_dir(self.root)
        return self.state_folder

    def index_store(self):
        """The index as it is, opened (or rebuilt empty) on first use; see `indexed`. When the
        state folder cannot be used, the index is kept in memory for this command."""
        if self._index is None:
            try:
                folder = state.ensure(self.cache_dir)
            except DataDirError as error:
                self.warnings.append(Notice(_("{problem}; the index is kept in memory").format(problem=error)))
                folder = None
            self._index = Index(self.root, folder, watched=self.watched)
        return self._index

    def indexed(self, *kinds: Kind):
        """The index, brought up to date with the files of `kinds` (all kinds when none given).
        Writes that only need the parties (`crm log`) refresh just those folders."""
        index = self.index_store()
        self.warnings.extend(index.refresh([kind.folder for kind in kinds] or None, self.progress))
        return index

    def reindex(self, progress=None) -> int:
        """Rebuild the index from every file; returns how many files it holds."""
        index = self.index_store()
        self.warnings.extend(index.rebuild(progress))
        return index.count()

    @property
    def index(self):
        """The index, up to date with every file."""
        return self.indexed()

    @property
    def ask(self) -> Questions:
        """The questions use cases ask of the index (store/questions.py)."""
        return Questions(self)

    def close(self) -> None:
        """Let go of the index's database (a process running many commands, as a library
        user or the test suite does, would otherwise hold one open file per command)."""
        if self._index is not None:
            self._index.close()
            self._index = None

    def records(self, kind: Kind | str | None = None, match: Match | None = None) -> list[Record]:
        """Records of a kind (or all), optionally narrowed to those that `match`."""
        match = match or Match()
        if kind is not None:
            name = kind if isinstance(kind, str) else kind.name
            match = match._replace(kinds=(KINDS[name].name,))
        return self.ask.records(match)

    def path_of(self, ref: str) -> Path:
        return fs.confined(self.root, ref + ".yaml")

    def exists(self, ref: str) -> bool:
        return kind_of_ref(ref) is not None and self.path_of(ref).is_file()

    def load(self, ref: str) -> Record:
        """The record at `ref`, read from its file now (not from the index)."""
        kind = kind_of_ref(ref)
        if kind is None:
            raise NotFound(_("no record kind lives in {folder!r}").format(folder=ref.split("/", 1)[0]))
        path = self.path_of(ref)
        try:
            data = codec.read(path)
            return Record(ref, kind, sealing_open(codec.decode(data), data, ref))
        except FileNotFoundError:
            raise NotFound(_("{ref}: no such record").format(ref=ref)) from None
        except OSError as error:
            raise DataDirError(_("{path}: cannot read: {error}").format(path=f"{ref}.yaml",
                                                                        error=error.strerror)) from error
        except codec.RecordSyntaxError as error:
            where = f"{ref}.yaml:{error.line}" if error.line else f"{ref}.yaml"
            raise InvalidValue(error.message, where=where) from error

    @property
    def sealer(self) -> Sealer:
        """How this command seals protected fields: crm.yaml's rules, the user's own keys."""
        if self._sealer is None:
            from crmcli.store.sealing import Policy, Sealer  # lazy: as in `sealing_open`

            self._sealer = Sealer(Policy.of(self.config.raw), keys.keyring())
        return self._sealer

    def recover(self) -> None:
        """Finish or undo a write that a killed writer left half-done (see store/journal.py),
        if there is one and no other writer is at work; readers do it too, so that what they
        show is whole. A read-only data directory is left as it is, and a recovery that
        cannot be done now is a warning for a reader (a writer refuses, see `writing`)."""
        if state.usable(self.cache_dir) is not None or not (self.cache_dir / JOURNAL).exists():
            return
        with lock_if_free(self.cache_dir) as held:
            if held:
                try:
                    self._recover()
                except DataDirError as error:
                    self.warnings.append(Notice(str(error)))

    def _recover(self) -> None:
        try:
            note = recover(self.root, self.cache_dir)
        except OSError as error:
            raise DataDirError(_("an interrupted write cannot be finished yet: {error}").format(
                error=fs.os_error(error, error.filename or self.root))) from error
        if note:
            self.warnings.append(Notice(note))

    def set_up_git(self) -> None:
        """A fresh clone gets crm's merge driver and pre-commit hook from its first command,
        with a note saying so (store/gitsetup.py: `set_up_clone`)."""
        note = gitsetup.set_up_clone(self.root)
        if note:
            self.warnings.append(Notice(note, kind=SET_UP))

    def work_tree(self):
        """The git work tree of the data directory (GitError when there is none)."""
        return git.work_tree(self.live_root or self.root)

    def refuse_if_past(self) -> None:
        """Commands that change the data directory or its repository refuse under `--at`."""
        if self.revision:
            raise InvalidValue(_("--at shows the data as of {commit} and cannot change it (run without --at)").format(
                commit=self.revision[:12]))

    def refuse_if_git_busy(self) -> None:
        """Writes wait while git is mid-merge, -rebase, -cherry-pick, -revert or -bisect, and on
        a detached HEAD when they would be committed (see `git.write_refusal`): exit 3."""
        refusal = git.write_refusal(self.root, committing=self.autocommit)
        if refusal:
            raise DataDirError(refusal)

    @contextlib.contextmanager
    def writing(self, message: str, *, bulk: bool = False):
        """A transaction: everything put or removed inside lands together, or nothing does.
        `message` says what it did, as the commit message when `autocommit` is on. A `bulk`
        one (a big import) keeps no staged record in memory: the index reads the new files
        on its next refresh instead of being handed them."""
        self.refuse_if_past()
        self.refuse_if_git_busy()
        if not os.access(self.root, os.W_OK):
            raise DataDirError(_("{root}: the data directory is read-only").format(root=self.root))
        with writer_lock(state.ensure(self.cache_dir), self.root):
            self._recover()
            if self._index is not None:
                self._index.forget()  # what another writer did before we got the lock is seen
            transaction = Transaction(self, message, bulk)
            try:
                yield transaction
            except BaseException:
                transaction.abandon()
                raise
            noted = None
            if self.autocommit and transaction.paths and self._in_git():
                noted = pending.note(self.cache_dir, message, transaction.paths)  # in case git cannot commit
            try:
                transaction.commit()
            except BaseException:
                if noted is not None and transaction.journal.fd is None:  # rolled back: nothing of it landed
                    pending.withdraw(self.cache_dir, noted)
                raise
            if noted is not None:
                self.warn_uncommitted(self._commit_pending())

    def _in_git(self) -> bool:
        return git.maybe_in_git(self.root)

    def commit_pending(self) -> str | None:
        """Commit the files of earlier commands that were written but not committed (the
        mark of store/pending.py), for the git commands that must see them first: `crm
        history`, `crm undo`, `crm sync`. Returns why some could not be, or None."""
        if self.revision or not pending.exists(self.cache_dir):
            return None
        try:
            with writer_lock(self.cache_dir, self.root):
                return self._commit_pending()
        except DataDirError as error:  # locked, read-only: `crm history` still reads
            return str(error)

    def _commit_pending(self) -> str | None:
        """Commit each command the mark lists, oldest first and each with its own message; a
        path that a later one wrote too is left to that one, which committed its final
        content. The caller holds the writers' lock. A data directory no longer in git has
        nowhere to commit them: the mark goes. Returns why the rest could not be committed."""
        entries = pending.read(self.root, self.cache_dir)
        if not entries or not self._in_git():
            pending.keep(self.cache_dir, [])
            return None
        refusal = git.write_refusal(self.root, committing=True)
        if refusal:
            return refusal
        try:
            tree = git.work_tree(self.root)
            while entries:
                later = {path for entry in entries[1:] for path in entry.paths}
                try:
                    git.commit_files(tree, [path for path in entries[0].paths if path not in later],
                                     entries[0].message)
                except git.StaleIndex as error:
                    self.warnings.append(Notice(str(error)))
                entries = entries[1:]
                pending.keep(self.cache_dir, entries)
        except GitError as error:
            return str(error)
        except OSError as error:
            return str(fs.os_error(error, self.cache_dir / pending.MARK))
        return None

    def warn_uncommitted(self, problem: str | None) -> None:
        if problem:
            self.warnings.append(Notice(_("written but not committed: {error}; the next crm command that writes "
                                          "commits it").format(error=problem)))


def sealing_open(record: dict, data: bytes, ref: str) -> dict:
    """A record read from `data` with its protected fields opened by the user's key (or Locked);
    a damaged envelope is an error naming the file and field."""
    if not holds_envelopes(data):
        return record
    # lazy: sealing loads age (pyrage) and its rules; most records, and commands, have no envelope
    from crmcli.store.sealing import Damaged, opened

    try:
        return opened(record, keys.keyring())
    except Damaged as error:
        raise InvalidValue(str(error), where=f"{ref}.yaml") from None


class Transaction:
    """Staged writes of one command; see `Repo.writing`."""

    def __init__(self, repo: Repo, message: str, bulk: bool = False):
        self.repo = repo
        self.message = message
        self.bulk = bulk
        self.staged: list[tuple[Path, Path, str, dict | None]] = []
        self.digests: dict[str, str] = {}
        self.targets: set[Path] = set()
        self.removals: list[str] = []
        self.journal = Journal(repo.root, repo.cache_dir)

    def fresh(self, record: Record) -> Record:
        """`record` read again from its file, now that this transaction holds the writers' lock:
        a command changes the latest version, so what another process wrote after this command
        read the record is kept, never lost. Its data is replaced in place."""
        record.data = self.repo.load(record.ref).data
        return record

    def unchanged_since(self, record: Record, text: str) -> None:
        """Refuse to go on if `record`'s file no longer holds `text` (what a person has been
        editing): another process changed it meanwhile, and saving would undo that change."""
        try:
            current = codec.read(self.repo.path_of(record.ref)).decode("utf-8")
        except (OSError, UnicodeDecodeError, codec.RecordSyntaxError):
            current = None
        if current != text:
            raise InvalidValue(_("changed by another process while you were editing it; your edit is not saved "
                                 "(edit it again)"), where=record.path)

    def validate(self, kind: Kind, record: dict, path: str) -> None:
        where = path if self.repo.path_of(path[:-5]).exists() else _("new {kind}").format(kind=_(kind.name))
        refuse_invalid(kind, record, where)

    def check_tax_id(self, kind: Kind, record: dict, before: dict | None, path: str) -> None:
        """A party's tax id must pass its country's rule whenever it (or the country) is
        written; a party whose tax id and country are as they were can still be changed
        otherwise (`crm check` names the old invalid one)."""
        # lazy: the countries' rules load in about 0.6 ms; every command opens a repository, writes seldom
        from crmcli.model.taxids import country_of, tax_id_problem

        def key(data: dict) -> tuple:
            return data.get("tax_id"), country_of(data)

        problem = None if before is not None and key(before) == key(record) else tax_id_problem(record)
        if problem:
            where = path if before is not None else _("new {kind}").format(kind=_(kind.name))
            raise ValidationFailed(problem, where=where)

    def assign_id(self, kind: Kind, record: dict) -> str:
        """Give a new record of a random-id kind a fresh id; returns its reference."""
        if kind.id_prefix and not record.get("id"):
            day = read_day(str(record[kind.dated_by]), self.repo.clock) if kind.dated_by else self.repo.clock.today()
            while True:
                record["id"] = random_id(kind.prefix_for(record), day)
                path = self.repo.path_of(kind.ref(record))
                if not path.exists() and path not in self.targets:
                    break
        return kind.ref(record)

    def add(self, kind: Kind, record: dict) -> str:
        """Stage a new record, giving it a fresh random id if its kind uses them."""
        self.assign_id(kind, record)
        return self.put(kind, record, new=True)

    def put(self, kind: Kind, record: dict, *, new: bool = False, replaces: str | None = None,
            base_text: str | None = None, at_ref: str | None = None) -> str:
        """Stage `record`; returns its reference. `new` refuses to overwrite an existing file;
        `base_text` is the YAML to keep the layout of (default: the file as it is)."""
        now = moment_text(self.repo.clock.now())
        record.setdefault("created", now)
        record["updated"] = now
        ref = at_ref or kind.ref(record)
        relative = ref + ".yaml"
        self.validate(kind, record, relative)
        path = self.repo.path_of(ref)
        if path in self.targets:
            raise InvalidValue(_("{path}: written twice in one command").format(path=relative))
        old_text = old_plain = None
        if new and path.exists():
            raise InvalidValue(_("{path} already exists").format(path=relative))
        if base_text is not None or path.exists():
            with contextlib.suppress(codec.RecordSyntaxError, UnicodeDecodeError):
                old_text = base_text if base_text is not None else codec.read(path).decode("utf-8")
                old_plain = codec.decode(old_text.encode("utf-8"))
            if old_plain is None:
                old_text = None
        if kind.is_party and not isinstance(record.get("tax_id"), Locked):  # a locked one cannot have changed
            self.check_tax_id(kind, record, old_plain, relative)
        sealed_before = old_plain  # the envelopes as stored: an unchanged value keeps its own
        if base_text is not None and path.exists():  # the layout is of a text edited in $EDITOR, decrypted
            with contextlib.suppress(codec.RecordSyntaxError, UnicodeDecodeError):
                sealed_before = codec.decode(codec.read(path))
        stored = self.repo.sealer.sealed(kind.folder, relative, record, sealed_before)
        text = document.render(stored, kind.schema, old_text, old_plain)
        data = text.encode("utf-8")
        self.stage(path, relative, data, None if self.bulk else sealing_open(stored, data, ref))
        if replaces and replaces != ref:
            self.remove(replaces)
        return ref

    def update(self, record: Record, base_text: str | None = None, move: bool = False) -> str:
        """Stage a changed record back into the file it was read from (`record.ref`), even a
        misfiled one. With `move`, it goes where its fields now say it belongs instead."""
        target = record.kind.ref(record.data) if move else record.ref
        if target != record.ref and self.repo.path_of(target).exists():
            raise InvalidValue(_("{path} now belongs at {target}.yaml, which exists already").format(path=record.path,
                                                                                               target=target))
        return self.put(record.kind, record.data, replaces=record.ref, base_text=base_text, at_ref=target)

    def put_file(self, relative: str, data: bytes) -> None:
        """Stage a file that is not a record (a rendered contract, an attachment)."""
        self.stage(fs.data_place(self.repo.root, relative), relative, data, None)

    def stage(self, path: Path, relative: str, data: bytes, record: dict | None) -> None:
        """Write `data` to a temporary file beside `path` (synced unless `bulk`), noted in the
        journal first."""
        temp = fs.temp_beside(path)
        self.journal.staging(temp, path)
        self.digests[relative] = fs.digest(data)
        self.staged.append((fs.write_temp(path, data, temp, sync=not self.bulk), path, relative, record))
        self.targets.add(path)

    def remove(self, ref: str) -> None:
        self.remove_file(ref + ".yaml")

    def remove_file(self, relative: str) -> None:
        """Stage the removal of a file (a record's, or a document or attachment)."""
        fs.data_place(self.repo.root, relative)
        self.removals.append(relative)

    @property
    def paths(self) -> list[str]:
        """Every file written or removed, relative to the data directory."""
        return [relative for _, _, relative, _ in self.staged] + self.removals

    def _roll_back(self, aside: list[tuple[Path, Path]], placed: list[fs.Placed]) -> None:
        """A commit refused half-way (a file that cannot be replaced, a disk that fails): put
        back what was replaced and removed, so the command writes nothing. Should even that
        fail, the journal stays, and the next command finishes the write instead."""
        try:
            for entry in reversed(placed):
                entry.undo()
            for temp, *_rest in self.staged:
                temp.unlink(missing_ok=True)
            fs.restore(aside)
        except OSError:
            return
        self.journal.close()

    def abandon(self) -> None:
        for temp, *_rest in self.staged:
            temp.unlink(missing_ok=True)
        self.journal.close()

    def commit(self) -> None:
        """Move every staged file into place and take away the removed ones. Folders are
        checked first and removals go in two steps (renamed aside, then deleted), so a
        refusal half-way leaves the data as it was."""
        index = self.repo.index_store()
        paths = [path for _, path, _, _ in self.staged] + [fs.confined(self.repo.root, r) for r in self.removals]
        for folder in {path.parent for path in paths}:
            if not os.access(folder, os.W_OK):
                raise fs.os_error(PermissionError(13, "permission denied"), folder)
        removed = [fs.confined(self.repo.root, relative) for relative in self.removals]
        if not self.staged and not removed:
            return
        if self.bulk:
            os.sync()  # the unsynced temporary files are durable before the journal calls the write done
        self.journal.committing(removed)
        aside: list[tuple[Path, Path]] = []
        placed: list[fs.Placed] = []
        try:
            aside = fs.set_aside(removed)
            for temp, path, _, _ in self.staged:
                placed.append(fs.Placed(path, fs.keep_old(path)))
                fs.commit_temp(temp, path, placed[-1], sync=not self.bulk)
            if self.bulk:
                fs.sync_folders({path.parent for path in self.targets})
        except BaseException:
            self._roll_back(aside, placed)
            raise
        fs.discard(aside)
        fs.discard([(entry.path, entry.old) for entry in placed if entry.old is not None])
        self.journal.close()
        for _, _, relative, record in self.staged:
            if record is not None:
                index.put(relative, record, self.digests[relative])
        for relative in self.removals:
            if relative.endswith(".yaml"):
                index.drop(relative)
        if self.bulk:
            index.forget()
