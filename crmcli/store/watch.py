"""The watcher: a small background process that keeps the list of what changed in a data
directory, so a command asks it instead of `lstat`ing every record file.

This is git's `core.fsmonitor` done the same way (see git-fsmonitor--daemon(1)): the first
command that finds no watcher starts one and checks every file itself, as before; later
commands send the token of their last look and get back the paths changed since, then
look at just those (their folders are summed up and compared as a full scan would, see
index.py). The answer is only ever a narrowing: when the watcher is not there, does not
answer in time, lost events (a queue overflow), or was restarted (its epoch in the token
differs), the command scans everything, so nothing is missed.

A question is answered only after a cookie file the watcher creates in the state folder
has come back through the same inotify queue: every change made before the question was
asked has then been read (inotify keeps one ordered queue per instance).

Bounds and safety: the watcher reads no file and follows no link (watches are added with
IN_DONT_FOLLOW | IN_ONLYDIR, folders found with lstat data, dot-folders skipped, as the
scan does), so a data directory that arrived through git cannot lead it elsewhere; it
holds at most MAX_FOLDERS watches and MAX_CHANGED paths (beyond, it starts a new epoch or
stops); it listens on a socket in the owner-only state folder; it stops when the data
directory or its socket goes, when a folder is moved (it would lose track of paths), and
after IDLE_SECONDS without a question. One runs per state folder (a lock). `CRM_WATCH=0`
turns it off; only Linux has one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import socket
import sys
import time
from pathlib import Path
from typing import NamedTuple

from crmcli.model.kinds import BY_FOLDER

SOCKET = "watch.sock"
LOCK = "watch.lock"
PID = "watch.pid"
COOKIE = "watch-cookie-"
IDLE_SECONDS = 900
"""A watcher asked nothing for this long stops (changes to the files do not keep it alive)."""
MAX_FOLDERS = 20000
MAX_CHANGED = 50000
ANSWER_SECONDS = 1.0
MAX_ANSWER = 64 << 20


class Answer(NamedTuple):
    """What changed since a token: `paths` (relative, folders or files, present or gone), or
    `reset` when the watcher cannot say (every file must be looked at); `token` to send next.
    A named tuple: every command asks, and a frozen dataclass costs it about 0.5 ms to define."""

    token: str
    reset: bool
    paths: tuple[str, ...] = ()


def enabled() -> bool:
    return sys.platform.startswith("linux") and os.environ.get("CRM_WATCH", "1") != "0"


@contextlib.contextmanager
def _address(state: Path):
    """The socket's path as bind and connect can take it: sun_path holds 108 bytes, so a
    longer one is reached through the state folder's descriptor (/proc/self/fd/N/...)."""
    path = str(state / SOCKET)
    if len(os.fsencode(path)) < 100:
        yield path
        return
    fd = os.open(state, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        yield f"/proc/self/fd/{fd}/{SOCKET}"
    finally:
        os.close(fd)


def ask(state: Path, token: str | None) -> Answer | None:
    """The watcher's answer, or None when there is none to ask (or it did not answer well)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client, _address(state) as path:
            client.settimeout(ANSWER_SECONDS)
            client.connect(path)
            client.sendall(f"{token or '-'}\n".encode())
            chunks, size = [], 0
            while size <= MAX_ANSWER:
                chunk = client.recv(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        found = json.loads(b"".join(chunks))
        return Answer(str(found["token"]), bool(found["reset"]), tuple(str(p) for p in found.get("paths", ())))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def start(root: Path, state: Path) -> None:
    """Start a watcher for `root` in the background, detached (it is not our child, holds
    no file of ours open and runs from `/`); it exits at once if one is running already."""
    argv = [sys.executable, "-m", "crmcli.store.watch", str(root.resolve()), str(state)]
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:  # pragma: no cover - the forked side ends in exec or _exit
        try:
            os.setsid()
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 1 << 16)
                os.chdir("/")
                os.execv(argv[0], argv)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


class _Stop(Exception):
    """The watcher must end: what it watches went away or it lost track."""


class Watcher:
    """The running watcher (`python -m crmcli.store.watch ROOT STATE`)."""

    def __init__(self, root: Path, state: Path):
        # lazy: inotify_simple loads in 40 ms (python -X importtime); only the watcher process needs it
        import inotify_simple as ino  # type: ignore[import-untyped]

        self.ino = ino
        self.root = root
        self.state = state
        flags = ino.flags
        self.folder_mask = (flags.CREATE | flags.DELETE | flags.MOVED_FROM | flags.MOVED_TO | flags.MODIFY
                            | flags.ATTRIB | flags.CLOSE_WRITE | flags.DELETE_SELF | flags.MOVE_SELF
                            | flags.DONT_FOLLOW | flags.ONLYDIR | flags.EXCL_UNLINK)
        self.inotify = ino.INotify()
        self.folders: dict[int, str] = {}
        self.epoch = os.urandom(8).hex()
        self.seq = 0
        self.changed: dict[str, int] = {}
        self.cookies: set[str] = set()
        self.running = True
        self.cookie_watch = self.inotify.add_watch(state, flags.CREATE | flags.DELETE_SELF | flags.MOVE_SELF
                                                   | flags.DONT_FOLLOW | flags.ONLYDIR)
        self._watch("", recurse=False)
        if "" not in self.folders.values():
            raise _Stop  # the data directory went before the watcher came up (a temporary one)
        for folder in BY_FOLDER:
            self._watch(folder, recurse=True)

    def _watch(self, folder: str, recurse: bool) -> None:
        """Watch `folder` (and its subfolders when `recurse`): real folders only, no dot-folder."""
        stack = [folder]
        while stack:
            current = stack.pop()
            path = self.root / current if current else self.root
            try:
                wd = self.inotify.add_watch(path, self.folder_mask)
            except OSError:
                continue  # gone already, or a link (ONLYDIR | DONT_FOLLOW refuse it): the scan warns
            self.folders[wd] = current
            if len(self.folders) > MAX_FOLDERS:
                raise _Stop
            if not recurse:
                continue
            try:
                with os.scandir(path) as entries:
                    stack += [f"{current}/{e.name}" for e in entries
                              if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]
            except OSError:
                continue

    def _mark(self, path: str) -> None:
        self.seq += 1
        self.changed[path] = self.seq
        if len(self.changed) > MAX_CHANGED:
            self.epoch, self.changed = os.urandom(8).hex(), {}

    def read_events(self, timeout: float | None = 0) -> None:
        flags = self.ino.flags
        for event in self.inotify.read(timeout=None if timeout is None else int(timeout * 1000)):
            if event.mask & flags.Q_OVERFLOW:
                raise _Stop
            if event.wd == self.cookie_watch:
                if event.mask & (flags.DELETE_SELF | flags.MOVE_SELF | flags.IGNORED):
                    raise _Stop  # the state folder went: the index it served is gone too
                if event.name.startswith(COOKIE):
                    self.cookies.add(event.name)
                continue
            folder = self.folders.get(event.wd)
            if folder is None:
                continue
            if event.mask & flags.IGNORED:
                del self.folders[event.wd]
                if not folder:
                    raise _Stop  # the data directory itself is gone
                continue
            if event.mask & flags.MOVE_SELF:
                raise _Stop  # a folder moved: its watches would name the wrong paths
            if not folder and event.name not in BY_FOLDER:
                continue  # crm.yaml, .git, anything else at the top: not records
            path = f"{folder}/{event.name}" if folder else event.name
            if event.mask & flags.ISDIR and event.mask & (flags.CREATE | flags.MOVED_TO) \
                    and not event.name.startswith("."):
                self._watch(path, recurse=True)
            if event.name or event.mask & flags.DELETE_SELF:
                self._mark(path if event.name else folder)

    def answer(self, token: str) -> dict:
        """Wait for a cookie to come back through the queue, then say what changed since `token`."""
        name = f"{COOKIE}{os.urandom(6).hex()}"
        cookie = self.state / name
        fd = os.open(cookie, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        try:
            for _ in range(100):
                if name in self.cookies:
                    break
                self.read_events(timeout=0.01)
            else:
                return {"token": f"{self.epoch}:{self.seq}", "reset": True}
        finally:
            self.cookies.discard(name)
            os.unlink(cookie)
        epoch, _sep, seq = token.partition(":")
        current = f"{self.epoch}:{self.seq}"
        if epoch != self.epoch or not seq.isdigit():
            return {"token": current, "reset": True}
        since = int(seq)
        return {"token": current, "reset": False, "paths": [p for p, s in self.changed.items() if s > since]}

    def listen(self) -> None:
        """Take the socket (a stale one is replaced; a live watcher holds the lock, see `main`)."""
        path = self.state / SOCKET
        if os.path.lexists(path):
            os.unlink(path)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with _address(self.state) as address:
            self.server.bind(address)
        os.chmod(path, 0o600)
        self.server.listen(16)
        self.socket_path, self.socket_ino = path, os.lstat(path).st_ino

    def serve(self) -> None:
        """Answer questions until idle, stopped, or what is watched goes away."""
        fd = self.inotify.fileno()
        try:
            asked = time.monotonic()
            while self.running:
                left = asked + IDLE_SECONDS - time.monotonic()
                ready, _w, _x = select.select([fd, self.server], [], [], max(left, 0))
                if left <= 0 or not self._own_socket():
                    return  # no question for a while; or another watcher took over, or the state folder went
                if fd in ready:
                    self.read_events()
                if self.server in ready:
                    self._reply()
                    asked = time.monotonic()
        except _Stop:
            return
        finally:
            self.server.close()
            if self._own_socket():
                os.unlink(self.socket_path)
            self.inotify.close()

    def stop(self) -> None:
        """End `serve` (from another thread): a cookie wakes it up."""
        self.running = False
        cookie = self.state / f"{COOKIE}stop"
        cookie.touch()
        cookie.unlink()

    def _own_socket(self) -> bool:
        try:
            return os.lstat(self.socket_path).st_ino == self.socket_ino
        except OSError:
            return False

    def _reply(self) -> None:
        connection, _address = self.server.accept()
        with connection:
            connection.settimeout(ANSWER_SECONDS)
            try:
                request = connection.recv(4096).split(b"\n", 1)[0].decode("ascii", "replace")
                connection.sendall(json.dumps(self.answer(request.strip())).encode())
            except OSError:
                pass


def main(argv: list[str]) -> int:
    """Run the watcher of ROOT with its socket in STATE, unless one runs already."""
    root, state = Path(argv[0]), Path(argv[1])
    lock = os.open(state / LOCK, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0  # one is running
    try:
        watcher = Watcher(root, state)
        watcher.listen()
    except (_Stop, OSError, ImportError):
        return 1
    pid = os.open(state / PID, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    os.write(pid, str(os.getpid()).encode())
    os.close(pid)
    try:
        watcher.serve()
    finally:
        (state / PID).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
