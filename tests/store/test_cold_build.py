"""A cold index build (issue 21, item 5): thousands of files parsed on every core and written
into a file of their own, then copied into the index. What it holds must be exactly what a
refresh of one file after another would hold, broken files included, and the first command
on a terminal shows its progress."""

import os
import pty
import sqlite3
import subprocess
import sys

import pytest

from benchmarks.generate import generate
from conftest import ROOT, read_terminal
from crmcli.store import index as index_module
from crmcli.store.index import Index

BROKEN = {
    "customers/broken-yaml.yaml": "id: broken-yaml\nname: [unclosed\n",
    "customers/broken-schema.yaml": "id: broken-schema\nname: Broken Schema\nentity: planet\n"
                                    "created: 2026-11-20T10:00:00+08:00\nupdated: 2026-11-20T10:00:00+08:00\n",
    "products/twice.yaml": "sku: TWICE\nsku: TWICE\n",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """2,500 generated records (enough for a cold build) and three files that cannot be indexed."""
    root = tmp_path_factory.mktemp("cold") / "data"
    generate(root, 2500)
    for path, text in BROKEN.items():
        (root / path).write_text(text, encoding="utf-8")
    return root


def _dump(location) -> dict[str, list]:
    """Every row of every table of an index, and its schema (indexes included)."""
    db = sqlite3.connect(location)
    try:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'fts%'")]
        found = {table: sorted(map(repr, db.execute(f"SELECT * FROM {table}"))) for table in tables}
        found["fts"] = sorted(map(repr, db.execute("SELECT rowid, name, body FROM fts")))
        found["schema"] = sorted(map(repr, db.execute("SELECT type, name, sql FROM sqlite_master")))
        return found
    finally:
        db.close()


def _indexed(root, state, monkeypatch, cold: bool) -> tuple[dict[str, list], list[str]]:
    """The tables after a first refresh of `root`, cold (in bulk, on every core) or file by file."""
    if not cold:
        monkeypatch.setattr(index_module, "BULK_FROM", 10**9)
        monkeypatch.setattr(index_module, "PARALLEL_FROM", 10**9)
    done = []
    index = Index(root, state)
    try:
        warnings = [str(notice) for notice in index.refresh(progress=lambda count, total: done.append((count, total)))]
    finally:
        index.close()
    assert sum(count for count, _total in done) == len(list(root.rglob("*.yaml"))) - 1  # crm.yaml is no record
    monkeypatch.undo()
    return _dump(state / "index.sqlite"), warnings


def test_a_cold_build_holds_what_a_refresh_file_by_file_holds(generated, tmp_path, monkeypatch):
    (tmp_path / "slow").mkdir()
    (tmp_path / "cold").mkdir()
    slow, slow_warnings = _indexed(generated, tmp_path / "slow", monkeypatch, cold=False)
    cold, cold_warnings = _indexed(generated, tmp_path / "cold", monkeypatch, cold=True)
    assert slow["files"] and len(slow["files"]) == len(cold["files"]) == 2503
    for table in slow:
        assert cold[table] == slow[table], table
    assert cold_warnings == slow_warnings
    assert len(cold_warnings) == 3 and any("broken-schema.yaml:3: entity" in w for w in cold_warnings)
    assert sorted(os.listdir(tmp_path / "cold")) == ["index.sqlite"]  # the build's own file is gone


def test_reindex_of_a_built_index_rebuilds_it_the_same(generated, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    first = Index(generated, state)
    first.refresh()
    before = _dump(state / "index.sqlite")
    first.rebuild()
    first.close()
    assert _dump(state / "index.sqlite") == before


def _stderr_on_a_terminal(out_file, *args: str) -> tuple[str, bytes]:
    """Run `crm ARGS` with stderr on a pseudo-terminal and stdout to `out_file` (a pipe nobody
    reads while the terminal is read could fill): (its stdout, what it showed on the terminal)."""
    controller, terminal = pty.openpty()
    with open(out_file, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "crmcli", *args], stdout=out, stderr=terminal,
                                   stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                                  "COLUMNS": "100", "TERM": "xterm"})
    os.close(terminal)
    shown = read_terminal(controller)
    assert process.wait(timeout=120) == 0
    return out_file.read_text(encoding="utf-8"), shown


def test_the_first_command_shows_the_cold_build_on_a_terminal_only(generated, tmp_path):
    copy = tmp_path / "data"
    subprocess.run(["cp", "-a", str(generated), str(copy)], check=True)
    out, shown = _stderr_on_a_terminal(tmp_path / "out", "--data-dir", str(copy), "customer", "list", "--format", "json")
    assert b"indexing" in shown
    assert out.startswith("[") and "indexing" not in out
    again, shown = _stderr_on_a_terminal(tmp_path / "again", "--data-dir", str(copy), "customer", "list",
                                         "--format", "json")
    assert again == out and b"indexing" not in shown  # a warm index: no bar

    piped = tmp_path / "piped"
    subprocess.run(["cp", "-a", str(generated), str(piped)], check=True)
    result = subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(piped), "customer", "list",
                             "--format", "json"], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0 and result.stdout == out
    assert "indexing" not in result.stderr and "\x1b" not in result.stderr
