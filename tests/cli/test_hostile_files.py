"""Hostile files and paths (issue 10, item 3): nothing a file smuggles in is run, nothing
outside the data directory is read or written, and the rest of the data keeps working.

Each hostile file is placed in a copy of the demo (shared by this module, its index warm),
then every read command of issue 10 must answer about the other records, name the file
in a warning or problem line, and never show a traceback. Bombs must also stay small
and quick: their memory is measured with tracemalloc, their time with a clock.
"""

from __future__ import annotations

import os
import shutil
import time
import tracemalloc
from functools import partial
from pathlib import Path

import pytest

from conftest import DEMO, DataDir, run_crm
from robust import assert_reads_survive, placed, snapshot

PARTY_TAIL = b"\ncreated: 2026-01-01T00:00:00+08:00\nupdated: 2026-01-01T00:00:00+08:00\n"


def party(body: bytes) -> bytes:
    return b"id: evil\nname: Evil Corp\n" + body + PARTY_TAIL


HOSTILE = {
    "python-object-apply": party(b"custom: {x: !!python/object/apply:os.system ['touch PWNED']}"),
    "python-name": party(b"notes: !!python/name:os.system"),
    "python-object-new": b"!!python/object/new:os.system [touch PWNED]\n",
    "local-tag": party(b"notes: !shell 'touch PWNED'"),
    "tag-directive": b"%TAG !p! tag:yaml.org,2002:python/\n---\nid: evil\nname: !p!object/apply:os.system [x]\n",
    "yaml-1.1-directive": b"%YAML 1.1\n---\n" + party(b"custom: {vat_registered: no}"),
    "binary-tag": party(b"custom: {x: !!binary aGVsbG8=}"),
    "set-tag": party(b"custom: {x: !!set {a, b}}"),
    "omap-tag": party(b"custom: {x: !!omap [a: 1]}"),
    "int-tag-on-text": party(b"custom: {x: !!int abc}"),
    "bool-tag-on-text": party(b"custom: {x: !!bool maybe}"),
    "billion-laughs": b"a: &a [x, x, x, x, x, x, x, x, x, x]\n" + b"".join(
        b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n" % ((98 + i, 98 + i) + (97 + i,) * 10)
        for i in range(9)),
    "text-alias-bomb": party(b"custom:\n  s: &s \"" + b"x" * 100_000 + b"\"\n  l: [" + b", ".join([b"*s"] * 20_000)
                             + b"]"),
    "nesting-10000-flow": party(b"custom: " + b"[" * 10_000 + b"]" * 10_000),
    "nesting-100000-flow": party(b"custom: " + b"{a: " * 100_000 + b"}" * 100_000),
    "nesting-500000-block": party(b"custom:\n  x:\n" + b"  - " * 1 + b"- " * 500_000 + b"x"),
    "nesting-10000-indented": party(b"custom:\n" + b"".join(b" " * (i + 2) + b"k:\n" for i in range(2000))),
    "huge-exponent": party(b"custom: {x: 1e999999999}"),
    "tiny-exponent": party(b"custom: {x: 0e-999999999}"),
    "5000-digit-integer": party(b"custom: {x: " + b"7" * 5000 + b"}"),
    "400-digit-integer": party(b"custom: {x: " + b"9" * 400 + b"}"),
    "nul-bytes": party(b"notes: evil\x00corp"),
    "escaped-nul": party(b'notes: "evil\\0corp"'),
    "invalid-utf8": party(b"notes: \xff\xfe\xc3\x28 broken"),
    "utf16": "id: evil\nname: Evil\n".encode("utf-16"),
    "lone-surrogate-escape": party(b'notes: "\\ud800"'),
    "binary-garbage": bytes(range(256)) * 64,
    "merge-conflict": party(b"<<<<<<< HEAD\nnotes: a\n=======\nnotes: b\n>>>>>>> theirs"),
    "not-a-mapping": b"- just\n- a list\n",
    "empty": b"",
    "two-documents": b"id: evil\nname: a\n---\nid: evil\nname: b\n",
}
SLOW_TO_BUILD = {"text-alias-bomb", "nesting-100000-flow", "nesting-500000-block", "huge-exponent", "tiny-exponent",
                 "billion-laughs"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> DataDir:
    """A copy of the demo with a warm index, shared by this module's tests (each one removes
    what it adds)."""
    root = tmp_path_factory.mktemp("hostile") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".crm"))
    assert run_crm("--data-dir", root, "customer", "list").code == 0
    return DataDir(root)


@pytest.fixture(autouse=True)
def restored(shared):
    """Whatever a test adds to or changes in the shared data directory is undone after it."""
    before = snapshot(shared.root)
    yield
    after = snapshot(shared.root)
    for relative in after.keys() - before.keys():
        (shared.root / relative).unlink()
    for relative, content in before.items():
        if after.get(relative) != content:
            (shared.root / relative).parent.mkdir(parents=True, exist_ok=True)
            (shared.root / relative).write_bytes(content)


def measured(call):
    """(result, seconds, peak Python memory in MB) of `call()`."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
        return result, time.monotonic() - started, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_record_file_is_refused_and_the_rest_still_works(shared, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a PWNED file would land here
    before = snapshot(shared.root)
    with placed(shared.root, {"customers/evil.yaml": HOSTILE[name]}):
        started = time.monotonic()
        results = assert_reads_survive(shared, "customers/evil.yaml")
        assert time.monotonic() - started < 30, "the read commands took too long"
        assert "Evil Corp" not in results["customer"].out
        assert any("customers/evil.yaml" in line for line in results["check"].out.splitlines())
    assert not (tmp_path / "PWNED").exists() and not (shared.root / "PWNED").exists()
    assert snapshot(shared.root) == before


@pytest.mark.parametrize("name", sorted(SLOW_TO_BUILD))
def test_bombs_stay_small_and_quick(shared, name):
    with placed(shared.root, {"customers/evil.yaml": HOSTILE[name]}):
        result, seconds, peak = measured(lambda: shared("customer", "list"))
    assert result.code == 0 and "customers/evil.yaml" in result.err
    assert seconds < 10 and peak < 60, (seconds, peak)


def test_a_100_mb_file_is_refused_without_being_read(shared):
    """The size is checked before reading: a 100 MB record file costs no more memory than a small one."""
    huge = shared.root / "customers" / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.write(b"id: huge\nname: Huge\nnotes: '")
        handle.truncate(100 * 1024 * 1024)  # sparse: cheap on disk, 100 MB to whoever reads it
    try:
        for args in (["customer", "list"], ["check"], ["show", "customers/huge"],
                     ["customer", "edit", "huge", "--set", "industry=x"]):
            result, seconds, peak = measured(partial(shared, *args))
            assert "Traceback" not in result.err and "internal error" not in result.err, result.err
            assert "customers/huge.yaml" in result.out + result.err and "larger than 2 MiB" in result.out + result.err
            assert peak < 60, (args, peak)
    finally:
        huge.unlink()


def test_an_oversized_record_on_stdin_is_refused(shared):
    stream = "id: huge\nname: Huge\nnotes: '" + "x" * (3 * 1024 * 1024) + "'\n"
    result = shared("customer", "add", "-", input=stream)
    assert result.code == 1 and "larger than 2 MiB" in result.err and "Traceback" not in result.err
    assert not (shared.root / "customers" / "huge.yaml").exists()


def test_a_fifo_named_like_a_record_never_blocks(shared):
    fifo = shared.root / "customers" / "fifo.yaml"
    os.mkfifo(fifo)
    try:
        assert_reads_survive(shared, "customers/fifo.yaml")
        shown = shared("show", "customers/fifo")
        assert shown.code == 1 and "regular file" in shown.err, shown.err
    finally:
        fifo.unlink()


def test_check_never_blocks_on_a_fifo_or_reads_through_a_link(shared, outside):
    """`crm check` also scans files that are not records (for conflict markers): a FIFO among
    them must not hang it, and a link must not lead it to read a file outside."""
    import subprocess
    import sys

    (outside / "secret.txt").write_text("<<<<<<< HEAD\nTOP-SECRET\n")
    os.mkfifo(shared.root / "templates" / "pipe.md")
    (shared.root / "templates" / "secret.md").symlink_to(outside / "secret.txt")
    try:
        result = subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(shared.root), "check"],
                                capture_output=True, text=True, timeout=60)
        assert "Traceback" not in result.stderr and "secret.md" not in result.stdout, result.stdout + result.stderr
    finally:
        (shared.root / "templates" / "pipe.md").unlink()
        (shared.root / "templates" / "secret.md").unlink()


def test_a_hostile_crm_yaml_is_one_line_and_exit_3(shared):
    config = shared.root / "crm.yaml"
    original = config.read_bytes()
    try:
        for content in (b"business: !!python/object/apply:os.system [x]\n", b"a: " + b"[" * 100_000,
                        b"a: 1e999999999\n", b"\xff\xfe"):
            config.write_bytes(content)
            result = shared("customer", "list")
            assert result.code == 3 and len(result.err.splitlines()) == 1 and "crm.yaml" in result.err, result.err
    finally:
        config.write_bytes(original)


# --------------------------------------------------------------------------- paths: ../, absolute, links

@pytest.mark.parametrize("args", [
    ["show", "customers/../crm"], ["show", "../../../../etc/passwd"], ["show", "/etc/passwd"],
    ["customer", "show", "customers/../../etc/passwd"], ["customer", "edit", "../../etc/passwd", "--set", "industry=x"],
    ["log", "customers/../suppliers/jinglian-xianlan", "call", "x"], ["pay", "../../etc/passwd", "10"],
    ["order", "show", "/etc/passwd"], ["customer", "add", "Evil", "--id", "../evil"],
    ["customer", "add", "Evil", "--id", "/tmp/evil"], ["contract", "new", "huaqiang", "--template", "../../crm"],
    ["contract", "new", "huaqiang", "--template", "/etc/passwd"], ["remind", "show", "../../crm"],
], ids=lambda a: " ".join(a))
def test_ids_with_dot_dot_or_absolute_paths_are_refused(shared, args):
    before = snapshot(shared.root)
    result = shared(*args)
    assert result.code in (1, 2) and "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert "root:" not in result.out + result.err  # nothing of /etc/passwd
    assert snapshot(shared.root) == before


@pytest.mark.parametrize("field, value", [
    ("party", "../../etc/passwd"), ("party", "/etc/passwd"), ("party", "customers/../crm"),
    ("party", "customers/nobody-at-all"), ("contact", "../x"),
])
def test_references_that_leave_the_data_directory_are_problems_not_crashes(shared, field, value):
    interaction = ("id: IN-20261120-EV1X\nparty: customers/huaqiang-dianzi\ntype: call\ndirection: out\n"
                   "at: 2026-11-20T16:30:00+08:00\nsummary: evil reference\n"
                   "created: 2026-11-20T17:03:41+08:00\nupdated: 2026-11-20T17:03:41+08:00\n")
    party = "party: customers/huaqiang-dianzi"
    text = interaction.replace(party, f"{party}\n{field}: '{value}'" if field != "party" else f"party: '{value}'")
    with placed(shared.root, {"interactions/2026/11/IN-20261120-EV1X.yaml": text.encode()}):
        results = assert_reads_survive(shared, "interactions/2026/11/IN-20261120-EV1X.yaml")
        assert results["check"].code == (0 if field == "contact" else 1)  # a contact is a name: only a warning
        for args in (["timeline"], ["done", "IN-20261120-EV1X"], ["show", "huaqiang"]):
            result = shared(*args)
            assert "Traceback" not in result.err and "internal error" not in result.err, (args, result.err)


@pytest.mark.parametrize("document, attachment", [
    ("customers/huaqiang-dianzi.yaml", None), ("crm.yaml", None), (None, "attachments/CT-20261120-EV1X/../../crm.yaml"),
    (None, "attachments/CT-20260220-ZSZZ/scan-signed.pdf"), ("contracts/CT-20260220-ZSZZ.md", None),
])
def test_a_contract_naming_another_file_does_not_take_it_along(shared, document, attachment):
    """A hand-edited (or pulled) contract whose `document` or attachment names another file: `crm
    check` reports it, and `rm --force` of its party does not delete that file."""
    contract = ("id: CT-20261120-EV1X\nparty: customers/harbor-lane-retail\ntitle: Evil\nstatus: draft\n"
                + (f"document: {document}\n" if document else "")
                + (f"attachments:\n  - {{path: {attachment}, sha256: {'0' * 64}}}\n" if attachment else "")
                + "created: 2026-11-20T17:03:41+08:00\nupdated: 2026-11-20T17:03:41+08:00\n")
    named = shared.root / (document or attachment)
    kept = named.read_bytes() if named.exists() else None
    with placed(shared.root, {"contracts/CT-20261120-EV1X.yaml": contract.encode()}):
        check = shared("check")
        assert any(line.startswith("contracts/CT-20261120-EV1X.yaml") for line in check.out.splitlines()), check.out
        result = shared("customer", "rm", "harbor-lane-retail", "--force")
        assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert (named.read_bytes() if named.exists() else None) == kept
    assert (shared.root / "crm.yaml").exists()


def test_a_forced_rm_still_takes_the_records_own_document_and_attachments(shared):
    before = snapshot(shared.root)
    contract = shared.read("contracts/CT-20260220-ZSZZ.yaml")
    party = contract["party"].split("/", 1)[1]
    result = shared("customer", "rm", party, "--force")
    assert result.code == 0, result.err
    gone = before.keys() - snapshot(shared.root).keys()
    assert {"contracts/CT-20260220-ZSZZ.yaml", "contracts/CT-20260220-ZSZZ.md",
            "attachments/CT-20260220-ZSZZ/scan-signed.pdf"} <= gone


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder outside the data directory holding a secret and a valid-looking record."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("TOP-SECRET\n")
    (folder / "spy.yaml").write_bytes(b"id: spy\nname: SPY FROM OUTSIDE" + PARTY_TAIL)
    return folder


def test_symlinked_record_files_are_skipped_with_a_warning(shared, outside):
    links = {"customers/spy.yaml": outside / "spy.yaml", "customers/passwd.yaml": Path("/etc/passwd"),
             "customers/loop.yaml": shared.root / "customers" / "loop.yaml",
             "customers/inside.yaml": shared.root / "customers" / "huaqiang-dianzi.yaml"}
    for link, target in links.items():
        (shared.root / link).symlink_to(target)
    try:
        results = assert_reads_survive(shared, "customers/spy.yaml")
        assert "SPY FROM OUTSIDE" not in "".join(r.out for r in results.values())
        for link in links:
            assert link in results["customer"].err, results["customer"].err
            shown = shared("show", link[:-5])
            assert shown.code == 1 and "Traceback" not in shown.err and "internal error" not in shown.err, shown.err
            assert "SPY" not in shown.out and "root:" not in shown.out
            edited = shared("customer", "edit", link[:-5], "--set", "industry=x")
            assert edited.code == 1 and "internal error" not in edited.err, edited.err
        assert (outside / "spy.yaml").read_bytes().startswith(b"id: spy\nname: SPY")
    finally:
        for link in links:
            (shared.root / link).unlink()


@pytest.mark.parametrize("folder", ["interactions/2031", "customers", "templates", "attachments/CT-20260220-ZSZZ"])
def test_symlinked_folders_are_neither_read_nor_written(shared, outside, folder):
    link = shared.root / folder
    moved = link.with_name(link.name + ".real")
    if link.exists():
        link.rename(moved)
    (outside / "11").mkdir()
    link.symlink_to(outside)
    before = sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*"))
    try:
        results = assert_reads_survive(shared, commands=[["timeline"], ["ledger", "--by", "owner,month"], ["check"]]) \
            if folder == "customers" else assert_reads_survive(shared)
        assert "SPY FROM OUTSIDE" not in "".join(r.out for r in results.values())
        assert folder in "".join(r.out + r.err for r in results.values()), "the link is not mentioned"
        for args in (["log", "huaqiang", "call", "x", "--at", "2031-11-20 10:00"],
                     ["customer", "add", "Spy Two"],
                     ["contract", "new", "huaqiang", "--template", "secret.txt"],
                     ["contract", "attach", "CT-20260220-ZSZZ", str(outside / "secret.txt")]):
            result = shared(*args)
            assert "Traceback" not in result.err and "internal error" not in result.err, (args, result.err)
            assert "TOP-SECRET" not in result.out + result.err
        assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*")) == before, "written outside"
    finally:
        link.unlink()
        if moved.exists():
            moved.rename(link)
        for made in shared.root.rglob("*"):  # what the writes above added inside the data directory
            if made.is_file() and b"Spy Two" in made.read_bytes():
                made.unlink()


def test_a_cache_link_pulled_into_the_work_tree_is_never_used(shared, outside):
    """Older versions kept the index and lock in `.crm/`; a `.crm` link pulled from a remote (or
    any other path there) no longer matters: crm keeps its state outside the work tree."""
    (outside / "index.sqlite").write_text("not a database, but someone's file\n")
    (outside / "lock").write_text("someone's lock\n")
    before = sorted((p.name, p.read_bytes()) for p in outside.iterdir())
    link = shared.root / ".crm"
    link.symlink_to(outside)
    try:
        assert_reads_survive(shared)
        result = shared("log", "huaqiang", "call", "via a cache link")
        assert result.code == 0 and result.err == "", result.err
        assert sorted((p.name, p.read_bytes()) for p in outside.iterdir()) == before
    finally:
        link.unlink()


def test_a_state_folder_that_is_a_link_is_not_followed(shared, outside):
    """The state folder is made by crm, owner-only; should it become a link (it cannot arrive
    through git), reads answer from an index in memory and writes are refused."""
    state = shared.state
    aside = state.with_name(state.name + ".aside")
    state.rename(aside)
    state.symlink_to(outside)
    before = sorted((p.name, p.read_bytes()) for p in outside.iterdir())
    try:
        listed = shared("customer", "list")
        assert listed.code == 0 and "a link" in listed.err, listed.err
        result = shared("log", "huaqiang", "call", "via a state link")
        assert result.code == 3 and "a link" in result.err.splitlines()[0], result.err
        assert sorted((p.name, p.read_bytes()) for p in outside.iterdir()) == before
    finally:
        state.unlink()
        aside.rename(state)


# --------------------------------------------------------------------------- templates

@pytest.mark.parametrize("template", [
    "{% include '../../etc/passwd' %}", "{% include '/etc/passwd' %}", "{% import '../crm.yaml' as x %}",
    "{% extends '../../../../etc/passwd' %}", "{% include 'link.md' %}", "{% include 'sub/passwd.md' %}",
    "{% include 'dirlink/secret.txt' %}", "{{ self.__init__.__globals__ }}", "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ range(10**9) | list }}", "{{ 10**(10**10) }}", "{{ 'x' * 10**10 }}",
])
def test_a_template_cannot_read_outside_the_data_directory(shared, outside, template):
    folder = shared.root / "templates"
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "link.md").symlink_to(outside / "secret.txt")
    (folder / "sub" / "passwd.md").symlink_to("/etc/passwd")
    (folder / "dirlink").symlink_to(outside)
    try:
        with placed(shared.root, {"templates/evil.md": template.encode()}):
            before = snapshot(shared.root)
            result = shared("contract", "new", "huaqiang", "--template", "evil")
            assert result.code == 1, (result.code, result.out, result.err)
            assert "Traceback" not in result.err and "internal error" not in result.err, result.err
            assert "TOP-SECRET" not in result.out + result.err and "root:" not in result.out + result.err
            assert snapshot(shared.root) == before
        for name in ("link", "sub/passwd", "dirlink/secret.txt"):
            direct = shared("contract", "new", "huaqiang", "--template", name)
            assert direct.code == 1 and "TOP-SECRET" not in direct.err and "root:" not in direct.err, direct.err
    finally:
        for link in ("link.md", "sub/passwd.md", "dirlink"):
            (folder / link).unlink()
        (folder / "sub").rmdir()
