"""The derived index in `.crm/index.sqlite`: a mirror of the record files for speed.

Each command refreshes it first: folders are listed, every record file is `lstat`ed
and compared by (mtime, size, inode) with what the index saw, and only new or
changed files are parsed again; vanished ones are dropped. So a hand edit, a
`git pull` or a deletion is seen by the very next command. The index never writes a
YAML file; a missing, corrupt, old or foreign index is thrown away and rebuilt.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from crmcli.model.jsonish import dumps as to_json
from crmcli.model.jsonish import loads as from_json
from crmcli.model.kinds import BY_FOLDER
from crmcli.model.text import fold, pinyin_forms
from crmcli.store import codec
from crmcli.store.fs import TEMP_PREFIX

INDEX_VERSION = "1"
INDEX_FILE = "index.sqlite"
PARALLEL_FROM = 2000

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    id TEXT,
    mtime INTEGER NOT NULL,
    size INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    data TEXT,
    error TEXT,
    line INTEGER,
    party TEXT,
    day TEXT,
    due TEXT
);
CREATE INDEX files_kind_day ON files(kind, day);
CREATE INDEX files_party ON files(party);
CREATE INDEX files_due ON files(due) WHERE due IS NOT NULL;
CREATE TABLE names(
    path TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    folded TEXT NOT NULL,
    pinyin TEXT,
    initials TEXT
);
CREATE INDEX names_path ON names(path);
CREATE INDEX names_folded ON names(folded);
"""


def _columns(record: dict) -> tuple:
    """The filter columns every kind shares: id, party, primary day, open due date."""
    day = record.get("at") or record.get("date") or record.get("created")
    step = record.get("next")
    due = step.get("due") if isinstance(step, dict) and not step.get("done") else None
    return (
        str(record.get("id")) if record.get("id") is not None else None,
        record.get("party") if isinstance(record.get("party"), str) else None,
        str(day) if day is not None else None,
        str(due) if due is not None else None,
    )


@dataclass(frozen=True)
class Stat:
    mtime: int
    size: int
    ino: int

    @classmethod
    def of(cls, st: os.stat_result) -> "Stat":
        return cls(st.st_mtime_ns, st.st_size, st.st_ino)


ROW_PLACEHOLDERS = ",".join("?" * 12)


def _row(path: str, stat: Stat, record: dict | None = None, error: str | None = None, line: int | None = None) -> tuple:
    """A row of `files`: the record as JSON with its filter columns, or why it could not be read."""
    kind = BY_FOLDER[path.split("/", 1)[0]].name
    if record is None:
        return (path, kind, None, stat.mtime, stat.size, stat.ino, None, error, line, None, None, None)
    record_id, party, day, due = _columns(record)
    return (path, kind, record_id, stat.mtime, stat.size, stat.ino, to_json(record), None, None, party, day, due)


def _names(path: str, record: dict | None) -> list[tuple]:
    """Rows of `names` for a party: its name and each contact's, folded and in pinyin."""
    if record is None or not BY_FOLDER[path.split("/", 1)[0]].is_party:
        return []
    named = [("name", record.get("name"))]
    named += [("contact", contact.get("name")) for contact in record.get("contacts") or [] if isinstance(contact, dict)]
    rows = []
    for role, name in named:
        if isinstance(name, str) and name.strip():
            syllables, initials = pinyin_forms(name) or (None, None)
            rows.append((path, role, name, fold(name), syllables, initials))
    return rows


def parse_file(root: Path, path: str, stat: Stat) -> tuple[tuple, list[tuple]]:
    """The `files` row and `names` rows for one file."""
    try:
        record = codec.decode((root / path).read_bytes())
    except codec.RecordSyntaxError as error:
        return _row(path, stat, error=error.message, line=error.line), []
    except OSError as error:
        return _row(path, stat, error=f"cannot read: {error.strerror}"), []
    return _row(path, stat, record), _names(path, record)


def _parse_batch(args) -> list[tuple[tuple, list[tuple]]]:
    root, batch = args
    return [parse_file(root, path, stat) for path, stat in batch]


def scan(root: Path) -> tuple[dict[str, Stat], list[str]]:
    """Every record file under the kind folders with its stat, and warnings for links skipped."""
    found: dict[str, Stat] = {}
    skipped: list[str] = []
    lstat = os.lstat
    for folder in BY_FOLDER:
        top = root / folder
        if not top.is_dir() or top.is_symlink():
            continue
        for directory, subdirs, names in os.walk(top):
            relative = os.path.relpath(directory, root).replace(os.sep, "/")
            subdirs[:] = [d for d in subdirs if not d.startswith(".") and not os.path.islink(os.path.join(directory, d))]
            for name in names:
                if not name.endswith(".yaml") or name.startswith((".", TEMP_PREFIX)):
                    continue
                st = lstat(os.path.join(directory, name))
                path = f"{relative}/{name}"
                if (st.st_mode & 0o170000) != 0o100000:
                    skipped.append(f"{path}: not a regular file (a link?); skipped")
                    continue
                found[path] = Stat.of(st)
    return found, skipped


class Index:
    """The SQLite mirror of one data directory."""

    def __init__(self, root: Path, cache_dir: Path | None):
        self.root = root
        self.db = self._connect(cache_dir)

    def _connect(self, cache_dir: Path | None) -> sqlite3.Connection:
        if cache_dir is not None:
            try:
                cache_dir.mkdir(exist_ok=True)
                location = cache_dir / INDEX_FILE
                db = self._open(location)
                if db is not None:
                    return db
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{location}{suffix}").unlink(missing_ok=True)
                db = self._open(location)
                if db is not None:
                    return db
            except (OSError, sqlite3.Error):
                pass
        db = sqlite3.connect(":memory:", isolation_level=None)
        db.executescript(SCHEMA)
        self._stamp(db)
        return db

    def _open(self, location: Path) -> sqlite3.Connection | None:
        """The index at `location` if it is ours and current; None if it must be rebuilt."""
        db = None
        try:
            db = sqlite3.connect(location, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                db.executescript(SCHEMA)
                self._stamp(db)
                return db
            meta = dict(db.execute("SELECT key, value FROM meta"))
            if meta.get("version") == INDEX_VERSION and meta.get("root") == str(self.root.resolve()):
                db.execute("SELECT count(*) FROM files").fetchone()
                return db
        except sqlite3.Error:
            pass
        if db is not None:
            db.close()
        return None

    def _stamp(self, db: sqlite3.Connection) -> None:
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [("version", INDEX_VERSION), ("root", str(self.root.resolve()))])

    def refresh(self, progress=None) -> list[str]:
        """Bring the index up to date with the files; returns warnings for skipped files."""
        found, warnings = scan(self.root)
        known = {path: Stat(m, s, i) for path, m, s, i in self.db.execute("SELECT path, mtime, size, ino FROM files")}
        changed = [(path, stat) for path, stat in found.items() if known.get(path) != stat]
        removed = [path for path in known if path not in found]
        if changed or removed:
            parsed = self._parse_all(changed, progress)
            gone = [(path,) for path in removed] + [(path,) for path, _ in changed]
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in removed])
                self.db.executemany("DELETE FROM names WHERE path = ?", gone)
                self.db.executemany(f"INSERT OR REPLACE INTO files VALUES ({ROW_PLACEHOLDERS})", [row for row, _ in parsed])
                self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)", [name for _, names in parsed for name in names])
        return warnings + [
            f"{path}:{line}: {error}; skipped" if line else f"{path}: {error}; skipped"
            for path, error, line in self.broken()
        ]

    def broken(self) -> list[tuple[str, str, int | None]]:
        """(path, error, line) of the record files that could not be read."""
        return self.db.execute("SELECT path, error, line FROM files WHERE error IS NOT NULL ORDER BY path").fetchall()

    def _parse_all(self, changed: list, progress) -> list[tuple[tuple, list[tuple]]]:
        if len(changed) < PARALLEL_FROM:
            rows = []
            for path, stat in changed:
                rows.append(parse_file(self.root, path, stat))
                if progress:
                    progress(1, len(changed))
            return rows
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = 500
        batches = [(self.root, changed[i:i + size]) for i in range(0, len(changed), size)]
        rows = []
        workers = max(1, min(os.cpu_count() or 1, 8))
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for batch_rows in pool.map(_parse_batch, batches):
                rows.extend(batch_rows)
                if progress:
                    progress(len(batch_rows), len(changed))
        return rows

    def put(self, path: str, record: dict) -> None:
        """Record a file the store just wrote, so the next refresh need not read it."""
        row = _row(path, Stat.of(os.lstat(self.root / path)), record)
        with self.db:
            self.db.execute(f"INSERT OR REPLACE INTO files VALUES ({ROW_PLACEHOLDERS})", row)
            self.db.execute("DELETE FROM names WHERE path = ?", (path,))
            self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)", _names(path, record))

    def drop(self, path: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM files WHERE path = ?", (path,))
            self.db.execute("DELETE FROM names WHERE path = ?", (path,))

    def names(self, kinds: tuple[str, ...]) -> list[tuple]:
        """(path, role, name, folded, pinyin, initials) of the parties of the given kinds."""
        marks = ",".join("?" * len(kinds))
        return self.db.execute(
            f"SELECT n.path, n.role, n.name, n.folded, n.pinyin, n.initials FROM names n JOIN files f USING (path) "
            f"WHERE f.kind IN ({marks}) ORDER BY n.path", kinds).fetchall()

    def rows(self, sql: str, params: tuple = ()) -> list[tuple[str, dict]]:
        """(path, record) pairs for readable files matching a WHERE clause over `files`."""
        query = f"SELECT path, data FROM files WHERE data IS NOT NULL AND ({sql or '1'})"
        return [(path, from_json(data)) for path, data in self.db.execute(query, params)]

    def party_names(self) -> dict[str, str]:
        """Reference → name of every party, for showing who a record is about."""
        return {path[:-5]: name for path, name in self.db.execute("SELECT path, name FROM names WHERE role = 'name'")}

    def sort_names(self) -> dict[str, str]:
        """Reference → sort key of every party: pinyin for Chinese names, else the folded name."""
        return {path[:-5]: pinyin or folded for path, pinyin, folded in
                self.db.execute("SELECT path, pinyin, folded FROM names WHERE role = 'name'")}

    def last_contacts(self) -> dict[str, str]:
        """Party reference → moment of its latest interaction."""
        return dict(self.db.execute(
            "SELECT party, max(day) FROM files WHERE kind = 'interaction' AND party IS NOT NULL GROUP BY party"))

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM names")
