"""The index follows the files: hand edits, additions, deletions, and a broken index file."""

import os
import sqlite3
import time


def _touch_later(path):
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_a_hand_edit_is_seen_by_the_next_command(demo):
    assert demo("search", "zanzibar").out == ""
    path = demo.root / "customers/huaqiang-dianzi.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("industry: electronics", "industry: zanzibar"),
                    encoding="utf-8")
    _touch_later(path)
    assert [h["record"]["id"] for h in demo("search", "zanzibar", "--format", "json").json()] == ["huaqiang-dianzi"]


def test_an_edit_of_the_same_size_in_the_same_second_is_seen(demo):
    demo("customer", "list")
    path = demo.root / "customers/huaqiang-dianzi.yaml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("electronics", "ELECTRONIX!"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(path, path)
    # same size, same mtime: the inode is what changes when an editor saves by rename
    copy = path.with_suffix(".tmp")
    copy.write_bytes(path.read_bytes())
    os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(copy, path)
    assert demo("search", "electronix", "--format", "json").json()[0]["record"]["id"] == "huaqiang-dianzi"


def test_added_and_deleted_files_are_seen(demo):
    demo("customer", "list")
    (demo.root / "customers/newco.yaml").write_text(
        "id: newco\nname: Newco Zanzibar\ncreated: 2026-11-22T10:00:00+08:00\nupdated: 2026-11-22T10:00:00+08:00\n",
        encoding="utf-8")
    assert demo("search", "zanzibar", "--format", "json").json()[0]["record"]["id"] == "newco"
    (demo.root / "customers/newco.yaml").unlink()
    assert demo("search", "zanzibar").out == ""
    assert "newco" not in [p["id"] for p in demo("customer", "list", "--format", "json").json()]


def test_a_corrupt_index_is_rebuilt_silently(demo):
    demo("customer", "list")
    index = demo.state / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        (demo.state / f"index.sqlite{suffix}").unlink(missing_ok=True)
    index.write_bytes(b"this is not a database" * 100)
    result = demo("customer", "list", "--format", "json")
    assert result.code == 0 and len(result.json()) == 17 and "warning" not in result.err


def test_a_foreign_or_old_index_is_not_trusted(demo):
    demo("customer", "list")
    db = sqlite3.connect(demo.state / "index.sqlite")
    db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    db.execute("DELETE FROM files WHERE path LIKE 'customers/%'")
    db.commit()
    db.close()
    assert len(demo("customer", "list", "--format", "json").json()) == 17


def test_deleting_the_cache_loses_nothing_and_reindex_rebuilds(demo):
    first = demo("timeline", "--format", "json").json()
    import shutil

    shutil.rmtree(demo.state)
    assert demo("timeline", "--format", "json").json() == first
    result = demo("reindex")
    assert result.code == 0 and "indexed" in result.err
    assert demo("timeline", "--format", "json").json() == first


def test_the_index_never_writes_yaml(demo):
    before = {p: p.read_bytes() for p in demo.root.rglob("*.yaml")}
    demo("reindex")
    demo("search", "cable")
    assert {p: p.read_bytes() for p in demo.root.rglob("*.yaml")} == before
