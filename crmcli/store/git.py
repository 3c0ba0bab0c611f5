"""Git, run as a program with argument lists (never through a shell).

The data directory is a git work tree or a folder inside one. This module finds it,
commits exactly the files one command wrote (through a scratch index, so the user's
own staged and unstaged changes stay as they were), reads the log and old versions
of files, and extracts a past revision for `--at`. crm's commits carry a
`Crm-Command:` trailer: that is how `crm undo` tells them from the user's.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

from crmcli.errors import GitError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import parse_day
from crmcli.store.state import find_git

TRAILER = "Crm-Command"
NO_COMMIT = "0" * 40
IN_PROGRESS = {
    "MERGE_HEAD": (N_("a merge"), N_("finish it (git commit) or abort it (git merge --abort)")),
    "rebase-merge": (N_("a rebase"), N_("finish it (git rebase --continue) or abort it (git rebase --abort)")),
    "rebase-apply": (N_("a rebase"), N_("finish it (git rebase --continue) or abort it (git rebase --abort)")),
    "CHERRY_PICK_HEAD": (N_("a cherry-pick"),
                         N_("finish it (git cherry-pick --continue) or abort it (git cherry-pick --abort)")),
    "REVERT_HEAD": (N_("a revert"), N_("finish it (git revert --continue) or abort it (git revert --abort)")),
    "BISECT_START": (N_("a bisect"), N_("end it (git bisect reset)")),
}
"""The files git keeps in its directory while it is in the middle of something: (what it is,
what the user does to finish it), in English for `_()` where shown."""
LOG_FORMAT = f"%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%s%x1f%(trailers:key={TRAILER},valueonly)%x1f"
KEPT_SNAPSHOTS = 3
COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
TREE_MODE = "40000"
KINDS = {TREE_MODE: "tree", "160000": "commit"}
"""What `git mktree` is told each entry of a tree is, by its mode (any other: a file)."""
LITERAL = "--literal-pathspecs"
"""For commands given paths: a file named `*.yaml` means that file, not a pattern."""


def program() -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError(_("git is not installed"))
    return git


def init(path: Path) -> str | None:
    """`git init` a new repository at `path`; None when done, else git's complaint."""
    # an argument list (no shell), and "--": a path such as "--template=DIR" is a path, not an option
    result = subprocess.run([program(), "init", "--quiet", "--", str(path)], capture_output=True, text=True)
    return result.stderr.strip() if result.returncode != 0 else None


def merge_file(ours: Path, base: Path, theirs: Path) -> bool:
    """git's merge by line of three versions of a file into `ours`; whether it merged cleanly."""
    result = subprocess.run([program(), "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
                             str(ours), str(base), str(theirs)], capture_output=True)
    return result.returncode == 0


def maybe_in_git(root: Path) -> bool:
    """Whether a repository could hold `root`, found without starting git (a `.git` here or above)."""
    return find_repository(root) is not None


def find_repository(root: Path) -> tuple[Path, Path] | None:
    """(the work tree's top, its git directory) for the repository holding `root`: $GIT_DIR
    (and $GIT_WORK_TREE) as git itself would take them, else `.git` as `state.find_git`
    finds it. None outside any repository."""
    if os.environ.get("GIT_DIR"):
        return Path(os.environ.get("GIT_WORK_TREE") or root), Path(os.environ["GIT_DIR"]).resolve()
    return find_git(root)


def write_refusal(root: Path, committing: bool) -> str | None:
    """Why a write into the data directory `root` must wait for the user's git, or None.

    Mid-merge, -rebase, -cherry-pick, -revert or -bisect the work tree holds a half-made
    state that git itself rewrites when the user continues or aborts (`git rebase --abort`
    resets the files): a write now would be lost, or recorded on an old revision, whether or
    not crm commits it, so it is refused either way. On a detached HEAD a commit belongs to
    no branch and vanishes at the next `git checkout`: that is refused only when the command
    would commit; uncommitted files follow a checkout like any edit (`--no-commit`)."""
    found = find_repository(root)
    if found is None:
        return None
    top, git_dir = found
    busy = next((state for name, state in IN_PROGRESS.items() if (git_dir / name).exists()), None)
    if busy is not None:
        return _("{busy} is in progress in {tree}: {advice}, then run the command again").format(
            busy=_(busy[0]), tree=top, advice=_(busy[1]))
    if committing and _detached(git_dir):
        return _("HEAD is detached in {tree}: check out a branch (git switch BRANCH), or write without committing "
                 "(crm --no-commit …), then run the command again").format(tree=top)
    return None


def _detached(git_dir: Path) -> bool:
    """Whether HEAD names a commit rather than a branch (an unreadable HEAD is left to git)."""
    try:
        with (git_dir / "HEAD").open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return bool(head.strip()) and not head.startswith(b"ref:")


class StaleIndex(GitError):
    """The commit was made, but the user's index could not take its files."""


class Commit(NamedTuple):
    """One commit of the history (a named tuple: every command loads this module, and a
    frozen dataclass costs it about 0.5 ms to define)."""

    sha: str
    parents: list[str]
    date: str
    author: str
    subject: str
    command: str
    """The `Crm-Command:` trailer; empty for a commit crm did not make."""
    files: list[tuple[str, str, str | None]]
    """(status letter, path, old path of a rename), paths relative to the data directory."""


class WorkTree(NamedTuple):
    """The git work tree holding a data directory; git runs in the data directory, so
    paths given and read back are relative to it. A named tuple, not a frozen dataclass:
    every command defines it at start-up, at a fifth of the cost."""

    git: str
    root: Path
    git_dir: Path
    prefix: str
    """The data directory's path inside the work tree, with a trailing slash ("" at the top)."""
    top: Path | None = None
    """The top of the work tree, as `find_repository` found it with `git_dir`."""

    def command(self, *args: str, work_tree: bool = True) -> list[str]:
        """A git command line for this repository, named explicitly (see `explicit`). Without
        `work_tree`, git sees no work tree at all: `git archive` would otherwise look for the
        current folder's path inside the tree it is given (`HEAD:books/books/…`)."""
        named = explicit(self.top or self.root, self.git_dir) if work_tree else [f"--git-dir={self.git_dir}"]
        return [self.git, *named, "-c", "core.quotepath=off", *args]

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(*args), cwd=self.root, input=input, capture_output=True, env=env)
        if check and result.returncode != 0:
            command = next(arg for arg in args if not arg.startswith("-"))
            if no_identity(result):
                raise GitError(_("git does not know who you are, so it cannot commit: set your name and email with "
                                 "git config --global user.name \"Your Name\" and git config --global user.email "
                                 "you@example.com (or the same without --global, in {root}, for this repository "
                                 "only)").format(root=self.root))
            raise GitError(_("git {command} failed: {failure}").format(command=command, failure=failure(result)))
        return result

    def out(self, *args: str, **options) -> str:
        return self.run(*args, **options).stdout.decode("utf-8", "replace").strip()

    def head(self) -> str | None:
        """The commit HEAD names, or None in a repository without commits yet."""
        result = self.run("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
        return result.stdout.decode().strip() or None

    def in_progress(self) -> str | None:
        """What git is in the middle of (a merge, a rebase…), if anything: English, for `_()` where shown."""
        return next((what for name, (what, _advice) in IN_PROGRESS.items() if (self.git_dir / name).exists()), None)

    def commit(self, sha: str) -> Commit:
        """One commit, with the files it changed against its first parent (renames as a
        removal and an addition)."""
        return self.log("-1", "--first-parent", "-m", "--no-renames", sha)[0]

    def log(self, *args: str) -> list[Commit]:
        """Commits `git log ARGS` lists, with the files each changed inside the data directory."""
        output = self.out(LITERAL, "log", "-z", "--relative", "--name-status", f"--format={LOG_FORMAT}", *args)
        return [parse_commit(chunk) for chunk in output.split("\x1e") if chunk.strip("\x00\n")]

    def blobs(self, names: list[str]) -> list[bytes | None]:
        """The contents of `REV:./PATH` objects, in one `git cat-file` (None where missing)."""
        result = self.run("cat-file", "--batch", input="".join(f"{name}\n" for name in names).encode("utf-8"))
        data, position = result.stdout, 0
        found: list[bytes | None] = []
        for _name in names:
            end = data.index(b"\n", position)
            header = data[position:end].split()
            if len(header) != 3:
                found.append(None)
                position = end + 1
                continue
            size = int(header[2])
            found.append(data[end + 1:end + 1 + size] if header[1] == b"blob" else None)
            position = end + 2 + size
        return found

    def status(self, paths: list[str]) -> list[str]:
        """Those of `paths` with uncommitted changes: staged, unstaged or untracked."""
        if not paths:
            return []
        output = self.run(LITERAL, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths).stdout
        entries = output.decode("utf-8", "replace").split("\0")
        changed, skip = [], False
        for entry in entries:
            if skip or not entry:
                skip = False
                continue
            skip = entry[0] in "RC"
            changed.append(entry[3:])
        return changed


IDENTITY_FAILURES = ("Please tell me who you are", "unable to auto-detect email address", "empty ident name",
                     "auto-detection is disabled")
"""What git says when it has no user.name/user.email to write into a commit."""


def no_identity(result: subprocess.CompletedProcess) -> bool:
    """Whether git failed for want of an identity (user.name and user.email unset)."""
    text = result.stderr.decode("utf-8", "replace")
    return any(marker in text for marker in IDENTITY_FAILURES)


def failure(result: subprocess.CompletedProcess) -> str:
    """The line git printed about a failure: its last `fatal:` or `error:` line, else its last line."""
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (marked or lines or [_("exit status {code}").format(code=result.returncode)])[-1]


def parse_commit(chunk: str) -> Commit:
    header, _, rest = chunk.partition("\x00")
    sha, parents, when, author, subject, command = header.split("\x1f")[:6]
    tokens = [token for token in rest.lstrip("\n").split("\x00") if token]
    files: list[tuple[str, str, str | None]] = []
    position = 0
    while position < len(tokens):
        status = tokens[position][0]
        if status in "RC":
            files.append((status, tokens[position + 2], tokens[position + 1]))
            position += 3
        else:
            files.append((status, tokens[position + 1], None))
            position += 2
    return Commit(sha, parents.split(), when, author, subject, command.strip(), files)


def explicit(top: Path, git_dir: Path) -> list[str]:
    """Options that name the repository, so that git never looks for one itself.

    Left to itself, git run inside the data directory would take any folder on the way up that
    looks like a bare repository (`HEAD`, `objects/`, `refs/`) for its repository, before the
    real `.git` above it: files anyone can commit into a data directory kept below the top of
    its repository, whose `config` then chooses an fsmonitor, hooks or an ssh command for git
    to run. crm finds `.git` itself (`find_repository`) and hands it to git."""
    return [f"--git-dir={git_dir}", f"--work-tree={top}"]


def work_tree(root: Path) -> WorkTree:
    """The work tree holding the data directory `root`; GitError when git or the repository is missing."""
    git = program()
    found = find_repository(root)
    missing = GitError(_("{root} is not in a git repository (make it one with: git init {root})").format(root=root))
    if found is None:
        raise missing
    top, git_dir = found
    result = subprocess.run([git, *explicit(top, git_dir), "rev-parse", "--show-toplevel", "--absolute-git-dir",
                             "--show-prefix"], cwd=root, capture_output=True)
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    if result.returncode != 0 or len(lines) < 2:
        raise missing
    return WorkTree(git, Path(root), Path(lines[1]), lines[2] if len(lines) > 2 else "", top)


def message_with_trailer(message: str) -> str:
    """The commit message of a crm command: the message as its subject, and the trailer
    naming the command (the word before the message's colon)."""
    subject = " ".join(message.split())
    command = subject.split(":", 1)[0] if ":" in subject else "crm"
    return f"{subject}\n\n{TRAILER}: {command}\n"


def commit_files(tree: WorkTree, paths: list[str], message: str) -> str | None:
    """Commit exactly `paths` (relative to the data directory, written or removed) as they
    are now, on top of HEAD, as `git add PATHS && git commit` would, but without git's index:
    the new trees are made from HEAD's along the changed paths only (what a scratch index
    of all files would cost grows with the repository: 0.3 s at 100,000 files), so what
    the user has staged or changed elsewhere is neither committed nor touched, and a
    second git user at the same time moves HEAD under no one (the branch moves only from
    the commit it was made on). Then the user's index takes the committed files, so
    `git status` shows them clean. Paths the user's .gitignore excludes stay out unless
    HEAD has them. Returns the commit, or None when nothing changed."""
    busy = tree.in_progress()
    if busy:
        raise GitError(_("{busy} is in progress in the repository").format(busy=_(busy)))
    settings = _settings(tree)
    with _Objects(tree) as objects:
        head = objects.head()
        edit = _TreeEdit(objects, head[1] if head else None, [tree.prefix + path for path in paths])
    kept = _not_ignored(tree, paths, [path for path in paths if not edit.base(tree.prefix + path)])
    present = {path: _regular_file(tree.root / path) for path in kept}
    blobs = _blobs(tree, [path for path in kept if present[path] is not None])
    leaves: dict[str, tuple[str, str] | None] = {}
    for path in kept:
        full = tree.prefix + path
        st_mode = present[path]
        leaves[full] = (_mode(st_mode, edit.base(full), settings), blobs[path]) if st_mode is not None else None
    new_tree = edit.write(tree, leaves)
    if new_tree is None:
        return None
    parents = ["-p", head[0]] if head else []
    commit = tree.out("commit-tree", new_tree, *parents, *(["-S"] if settings.get("user.signingkey") else []),
                      input=message_with_trailer(message).encode("utf-8"))
    tree.run("update-ref", "-m", f"crm: {message.splitlines()[0]}", "HEAD", commit, head[0] if head else NO_COMMIT)
    refreshed = tree.run("update-index", "--add", "--remove", "-z", "--stdin", input=_listing(kept), check=False)
    if refreshed.returncode != 0:
        raise StaleIndex(_("committed as {commit}, but git's index still has the files as they were "
                           "({failure}): git reset -q brings it in line").format(commit=commit[:12],
                                                                                failure=failure(refreshed)))
    return commit


def _listing(paths: list[str]) -> bytes:
    return "".join(f"{path}\0" for path in paths).encode("utf-8")


FALSE_WORDS = ("false", "no", "off", "0", "")


def _settings(tree: WorkTree) -> dict[str, str | None]:
    """The configuration a commit depends on, in one `git config`: `user.signingkey` (crm
    signs with `-S` when the user has one: commit-tree ignores commit.gpgSign) and
    `core.filemode` (whether git trusts the executable bit); the last value of each wins."""
    found = tree.run("config", "-z", "--get-regexp", r"^(user\.signingkey|core\.filemode)$", check=False)
    settings: dict[str, str | None] = {}
    for item in found.stdout.decode("utf-8", "replace").split("\0"):
        if item:
            key, newline, value = item.partition("\n")
            settings[key.lower()] = value if newline else None
    return settings


def _mode(st_mode: int, base: tuple[str, str] | None, settings: dict[str, str | None]) -> str:
    """The mode `git add` gives a regular file: its executable bit when git trusts it, else
    the mode HEAD has for it (a new file is not executable)."""
    filemode = settings.get("core.filemode", "true")
    if filemode is None or filemode.strip().lower() not in FALSE_WORDS:
        return "100755" if st_mode & stat.S_IXUSR else "100644"
    return base[0] if base and base[0] in ("100644", "100755") else "100644"


def _regular_file(path: Path) -> int | None:
    """The st_mode of the file at `path`, None when there is none; GitError for anything but a
    regular file (crm writes no links or folders in place of a record)."""
    try:
        st_mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st_mode):
        raise GitError(_("cannot commit {path}: it is not a regular file").format(path=path))
    return st_mode


def _not_ignored(tree: WorkTree, paths: list[str], new: list[str]) -> list[str]:
    """`paths` without those of `new` (files HEAD does not have) that the user's .gitignore
    excludes: what `git add` would leave out. Patterns only (`--no-index`): a file HEAD has is
    tracked, and git never ignores a tracked file."""
    if not new:
        return paths
    ignored = tree.run("check-ignore", "--no-index", "-z", "--stdin", input=_listing(new), check=False)
    if ignored.returncode not in (0, 1):
        raise GitError(_("git {command} failed: {failure}").format(command="check-ignore", failure=failure(ignored)))
    skipped = set(ignored.stdout.decode("utf-8").split("\0"))
    return [path for path in paths if path not in skipped]


HASHED_AT_ONCE = 1000
"""File names given to one `git hash-object` (as arguments: any name, and far below ARG_MAX)."""


def _blobs(tree: WorkTree, paths: list[str]) -> dict[str, str]:
    """The blob of each file of `paths`, written into git's objects with the user's filters
    (.gitattributes, core.autocrlf) applied, as `git add` writes it."""
    blobs: dict[str, str] = {}
    for start in range(0, len(paths), HASHED_AT_ONCE):
        chunk = paths[start:start + HASHED_AT_ONCE]
        blobs.update(zip(chunk, tree.out("hash-object", "-w", "--", *chunk).split(), strict=True))
    return blobs


class _Objects:
    """One `git cat-file --batch` asked for objects one by one (the next question depends on
    the last answer, as when walking down trees)."""

    def __init__(self, tree: WorkTree) -> None:
        self.process = subprocess.Popen(tree.command("cat-file", "--batch"), cwd=tree.root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def __enter__(self) -> _Objects:
        return self

    def __exit__(self, *exc) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None  # pipes
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait()

    def read(self, name: str) -> tuple[str, str, bytes] | None:
        """(object id, type, content) of the object `name` names; None when there is none."""
        assert self.process.stdin is not None and self.process.stdout is not None  # pipes
        self.process.stdin.write(name.encode("utf-8") + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            if not header:
                raise GitError(_("git {command} failed").format(command="cat-file"))
            return None
        content = self.process.stdout.read(int(header[2]) + 1)[:-1]
        return header[0].decode(), header[1].decode(), content

    def head(self) -> tuple[str, str] | None:
        """(the commit HEAD names, its tree); None in a repository without commits yet."""
        found = self.read("HEAD^{commit}")
        if found is None:
            return None
        first = found[2].split(b"\n", 1)[0]  # "tree SHA"
        return found[0], first.split()[1].decode()

    def tree(self, sha: str) -> dict[str, tuple[str, str]]:
        """The entries of tree `sha`: name → (mode, object id)."""
        found = self.read(sha)
        if found is None or found[1] != "tree":
            raise GitError(_("git {command} failed: {failure}").format(command="cat-file",
                                                                        failure=f"{sha}: not a tree"))
        data, size = found[2], len(sha) // 2
        entries: dict[str, tuple[str, str]] = {}
        position = 0
        while position < len(data):
            space = data.index(b" ", position)
            end = data.index(b"\0", space)
            entries[data[space + 1:end].decode("utf-8", "surrogateescape")] = (
                data[position:space].decode(), data[end + 1:end + 1 + size].hex())
            position = end + 1 + size
        return entries


def _make_tree(process: subprocess.Popen, entries: dict[str, tuple[str, str]]) -> str:
    """The id of the tree of `entries` (name → (mode, object id)), made by the running
    `git mktree -z --batch` (which sorts them as git does)."""
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None  # pipes
    process.stdin.write(b"".join(f"{mode} {KINDS.get(mode, 'blob')} {sha}\t{name}\0".encode("utf-8", "surrogateescape")
                                 for name, (mode, sha) in entries.items()) + b"\0")
    process.stdin.flush()
    made = process.stdout.readline().decode().strip()
    if not made:
        raise GitError(_("git {command} failed: {failure}").format(
            command="mktree", failure=process.stderr.read().decode("utf-8", "replace").strip()))
    return made


class _TreeEdit:
    """HEAD's tree changed along some paths: the trees on the way of each path are read (all
    else stays as the tree ids HEAD has), and only those are written again."""

    def __init__(self, objects: _Objects, root: str | None, paths: list[str]) -> None:
        self.root = root
        self.folders: dict[str, dict[str, tuple[str, str]]] = {"": objects.tree(root) if root else {}}
        for path in paths:
            parts = path.split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder not in self.folders:
                    entry = self.folders["/".join(parts[:depth - 1])].get(parts[depth - 1])
                    # a file where a folder is now is replaced by it, as `git add` does
                    self.folders[folder] = objects.tree(entry[1]) if entry and entry[0] == TREE_MODE else {}

    def base(self, path: str) -> tuple[str, str] | None:
        """(mode, object id) of the file at `path` in the tree edited, None if it has none."""
        folder, _slash, name = path.rpartition("/")
        entry = self.folders[folder].get(name)
        return entry if entry and entry[0] != TREE_MODE else None

    def write(self, tree: WorkTree, leaves: dict[str, tuple[str, str] | None]) -> str | None:
        """The id of the tree with `leaves` (path → (mode, blob), or None to remove it) put in,
        its new folders written with one `git mktree`; None when that changes nothing."""
        changed: set[str] = set()
        for path, leaf in leaves.items():
            folder, _slash, name = path.rpartition("/")
            entries = self.folders[folder]
            if entries.get(name) == leaf or (leaf is None and name not in entries):
                continue
            if leaf is None:
                del entries[name]
            else:
                entries[name] = leaf
            changed.add(folder)
        if not changed:
            return None
        on_the_way = {"/".join(folder.split("/")[:depth]) for folder in changed if folder
                      for depth in range(1, folder.count("/") + 2)} | {""}
        process = subprocess.Popen(tree.command("mktree", "-z", "--missing", "--batch"), cwd=tree.root,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        made = ""
        try:
            for folder in sorted(on_the_way, key=lambda folder: -folder.count("/") - bool(folder)):
                entries = self.folders[folder]
                parent, _slash, name = folder.rpartition("/")
                if folder and not entries:  # git keeps no empty folder
                    self.folders[parent].pop(name, None)
                    continue
                made = _make_tree(process, entries)
                if folder:
                    self.folders[parent][name] = (TREE_MODE, made)
        finally:
            for pipe in (process.stdin, process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
            process.wait()
        return made if made != self.root else None



def resolve_revision(tree: WorkTree, rev: str, clock) -> tuple[str, date | None]:
    """The commit `rev` names: a commit or tag, else a date (`2026-06-30`, `-30d`) meaning
    the last commit made before that day ended; with the day when it was a date."""
    if not rev.startswith("-"):
        found = tree.run("rev-parse", "-q", "--verify", f"{rev}^{{commit}}", check=False)
        if found.returncode == 0:
            return found.stdout.decode().strip(), None
    try:
        day = parse_day(rev, clock)
    except InvalidValue:
        raise GitError(_("--at {rev!r}: not a commit, a tag or a date").format(rev=rev)) from None
    end = datetime.combine(day + timedelta(days=1), time(0), clock.zone) - timedelta(seconds=1)
    sha = tree.out("rev-list", "-1", f"--before={end.isoformat()}", "HEAD")
    if not sha:
        raise GitError(_("--at {rev}: the repository has no commit from before the end of {day}").format(rev=rev,
                                                                                                          day=day))
    return sha, day


def _without_links(member, path):
    """tarfile's `data` filter, leaving out links: crm reads no record through a link, and a
    link committed into an old revision (`.crm/at -> ../..`) would only make the extract fail."""
    # lazy: tarfile loads in 11 ms (python -X importtime); only archives need it
    import tarfile

    if member.issym() or member.islnk():
        return None
    return tarfile.data_filter(member, path)


def snapshot(tree: WorkTree, sha: str, cache: Path) -> Path:
    """The data directory as commit `sha` had it, extracted once into `cache/<sha>/data` with
    `git archive` (the work tree is not touched; `cache/<sha>/state` is left for its index).
    The oldest extracts beyond a few go; only folders named by a full commit id, that are
    folders and not links, are ever deleted: what this function made, nothing else."""
    # lazy: tarfile loads in 11 ms (python -X importtime); only archives need it
    import tarfile

    folder = cache / sha
    target = folder / "data"
    if not folder.is_symlink() and target.is_dir() and not target.is_symlink():
        os.utime(folder)
        return target
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = cache / f".partial-{uuid.uuid4().hex}"
    process = subprocess.Popen(tree.command("archive", "--format=tar", f"{sha}:{tree.prefix}", work_tree=False),
                               cwd=tree.root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.stdout, process.stderr
    assert out is not None and err is not None  # both are pipes
    problem = None
    try:
        with tarfile.open(fileobj=out, mode="r|") as archive:
            archive.extractall(partial / "data", filter=_without_links)
    except tarfile.TarError as error:
        problem = str(error)
    finally:
        out.close()
        stderr = err.read().decode("utf-8", "replace").strip()
        if process.wait() != 0 and problem is None:
            problem = stderr.splitlines()[-1] if stderr else _("git {command} failed").format(command="archive")
    if problem is not None:
        shutil.rmtree(partial, ignore_errors=True)
        raise GitError(_("cannot read the data directory as of {commit}: {problem}").format(commit=sha[:12],
                                                                                              problem=problem))
    (partial / "data").mkdir(parents=True, exist_ok=True)
    try:
        os.replace(partial, folder)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
    ours = [p for p in cache.iterdir() if COMMIT_ID.fullmatch(p.name) and not p.is_symlink() and p.is_dir()]
    for old in sorted(ours, key=lambda p: p.stat().st_mtime)[:-KEPT_SNAPSHOTS]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def merge_base(tree: WorkTree, one: str, other: str) -> str | None:
    """The last commit `one` and `other` share (None when their histories never met)."""
    return tree.out("merge-base", one, other, check=False) or None


def changed_since(tree: WorkTree, base: str, rev: str, which: str = "AM") -> dict[str, str]:
    """The files (relative to the data directory) that `rev` added (A) or changed (M) since
    `base`, with their blobs in `rev`; a rename counts as a removal and an addition."""
    output = tree.run("diff", "--raw", "-z", "--no-renames", "--no-abbrev", f"--diff-filter={which}", "--relative",
                      base, rev).stdout.decode("utf-8", "surrogateescape")
    fields = output.split("\0")  # ":mode mode blob blob status", path, ...
    return {fields[i + 1]: fields[i].split()[3] for i in range(0, len(fields) - 1, 2) if fields[i].startswith(":")}


UNSIGNED = (b"gpgsig", b"gpgsig-sha256", b"mergetag")
"""Commit headers that sign what a rewritten commit no longer is."""


def rewrite_commits(tree: WorkTree, since: str, edit) -> str | None:
    """Rewrite the commits of `since..HEAD` (this clone's own, not yet published), oldest
    first, each with files changed as `edit(commit)` says: {path relative to the data
    directory: its new bytes, or None to remove it}. Authors, dates, messages and crm's
    trailers stay; signatures go, since they no longer match. Nothing is checked out and no
    branch moves: returns the new HEAD commit, or None when no commit changed."""
    mapped: dict[str, str] = {}
    for line in tree.out("rev-list", "--reverse", "--topo-order", "--parents", f"{since}..HEAD").splitlines():
        sha, *parents = line.split()
        changes = edit(sha)
        new_parents = [mapped.get(parent, parent) for parent in parents]
        if changes or new_parents != parents:
            mapped[sha] = _copy_commit(tree, sha, _edited_tree(tree, sha, changes), new_parents)
    head = tree.head()
    return mapped.get(head) if head else None


def _edited_tree(tree: WorkTree, sha: str, changes: dict[str, bytes | None]) -> str:
    """The tree of commit `sha` with `changes` made, written through a scratch index."""
    scratch = tree.git_dir / f"crm-index-{uuid.uuid4().hex}"
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch)}
    try:
        tree.run("read-tree", sha, env=env)
        entries = []
        for path, data in sorted(changes.items()):
            if data is None:
                entries.append(f"0 {NO_COMMIT}\t{tree.prefix}{path}\n")
            else:
                blob = tree.out("hash-object", "-w", "--stdin", input=data)
                entries.append(f"100644 {blob}\t{tree.prefix}{path}\n")
        tree.run("update-index", "--index-info", env=env, input="".join(entries).encode("utf-8", "surrogateescape"))
        return tree.out("write-tree", env=env)
    finally:
        scratch.unlink(missing_ok=True)


def _copy_commit(tree: WorkTree, sha: str, new_tree: str, parents: list[str]) -> str:
    """Commit `sha` again as it was (author, committer, message), on `new_tree` and `parents`."""
    raw = tree.run("cat-file", "commit", sha).stdout
    headers, _blank, message = raw.partition(b"\n\n")
    kept = [f"tree {new_tree}".encode(), *(f"parent {parent}".encode() for parent in parents)]
    dropping = False
    for line in headers.split(b"\n"):
        if line.startswith(b" "):  # a continued header line belongs to the header above
            if not dropping:
                kept.append(line)
            continue
        name = line.split(b" ", 1)[0]
        dropping = name in (b"tree", b"parent", *UNSIGNED)
        if not dropping:
            kept.append(line)
    return tree.out("hash-object", "-t", "commit", "-w", "--stdin", input=b"\n".join(kept) + b"\n\n" + message)
