"""Hard conditions (issue 10, item 6): a read-only data directory, a full disk, a file that
cannot be written, a data directory on a path with spaces and Chinese characters. Each
refusal is one line on stderr with exit 3 (GUIDE.md §5: the data directory cannot be
used), nothing is lost or half-written, and once the condition is gone everything works.

As root (as in CI) permissions do not stop writes, so the conditions come from mounts (a
read-only bind mount, a tiny tmpfs) and `chattr +i`; where those are not allowed the test
is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import DEMO, DataDir, run_crm
from fs_conditions import filled, immutable, read_only, tmpfs
from robust import assert_reads_survive, snapshot

WRITES = {
    "log": ["log", "huaqiang", "call", "under a hard condition", "--next", "again", "--due", "+2d"],
    "order": ["order", "add", "huaqiang", "--line", "Hard widget 2 @ 10", "--status", "confirmed"],
    "pay": ["pay", "SO-20261121", "1", "--allow-overpay"],
    "edit": ["customer", "edit", "huaqiang", "--set", "industry=hard", "--add-tag", "hard"],
    "contact": ["contact", "add", "huaqiang", "Hard Person"],
    "contract": ["contract", "new", "huaqiang", "--template", "framework-agreement", "--title", "Hard"],
    "add": ["customer", "add", "Hard Condition Ltd"],
    "remove": ["customer", "rm", "harbor-lane-retail", "--force"],
}


def assert_one_line(result, code: int, *says: str) -> None:
    everything = result.out + result.err
    assert "Traceback" not in everything and "internal error" not in everything, everything
    assert result.code == code, (result.code, result.err)
    lines = [line for line in result.err.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("crm: "), result.err
    for text in says:
        assert text in lines[0], (text, lines[0])


def demo_in(folder) -> DataDir:
    target = folder / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".crm"))
    data = DataDir(target)
    assert data("customer", "list").code == 0
    return data


# --------------------------------------------------------------------------- read-only

@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_to_a_read_only_data_directory_is_exit_3_and_changes_nothing(demo, name):
    assert demo("customer", "list").code == 0
    before = snapshot(demo.root)
    with read_only(demo.root):
        assert_one_line(demo(*WRITES[name]), 3, "read-only")
    assert snapshot(demo.root) == before


def test_cron_on_a_read_only_data_directory_still_prints_what_is_due(demo):
    assert demo("customer", "list").code == 0
    before = snapshot(demo.root)
    with read_only(demo.root):
        result = demo("remind", "due")
        assert "Traceback" not in result.err and "internal error" not in result.err, result.err
        assert result.code in (0, 3) and result.out.strip(), (result.code, result.err)
        assert_reads_survive(demo)
    assert snapshot(demo.root) == before


# --------------------------------------------------------------------------- a full disk

@pytest.fixture
def small_disk(tmp_path):
    """The demo on a 16 MiB tmpfs of its own, and where it is mounted."""
    with tmpfs(tmp_path / "disk", "16m") as mount:
        yield demo_in(mount), mount


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_write_to_a_full_disk_is_exit_3_and_loses_nothing(small_disk, name):
    data, mount = small_disk
    before = snapshot(data.root)
    with filled(mount):
        result = data(*WRITES[name])
        if name == "remove":  # removing takes no space on the data's disk: the journal is kept elsewhere
            assert result.code == 0 and data("check").code == 0, result.err
            return
        assert_one_line(result, 3, "disk full")
        assert snapshot(data.root) == before, "a failed write changed the data"
        assert not list(data.root.rglob(".crm-tmp-*")), "a failed write left a temporary file"
        assert_reads_survive(data)
    result = data(*WRITES[name])
    assert result.code == 0, result.err
    assert data("check").code == 0


def test_a_disk_that_fills_up_while_the_index_is_built_still_answers(tmp_path):
    with tmpfs(tmp_path / "disk", "16m") as mount:
        data = DataDir(mount / "demo")
        shutil.copytree(DEMO, data.root, ignore=shutil.ignore_patterns(".crm"))
        with filled(mount):
            assert_reads_survive(data)
        assert_reads_survive(data)


def test_no_inodes_left_is_a_full_disk_too(tmp_path):
    with tmpfs(tmp_path / "disk", "20m", inodes=500) as mount:
        data = demo_in(mount)
        before = snapshot(data.root)
        with filled(mount, inodes=True):
            assert_one_line(data(*WRITES["log"]), 3, "disk full")
            assert snapshot(data.root) == before
        assert data(*WRITES["log"]).code == 0


# --------------------------------------------------------------------------- one file that cannot be written

def test_a_file_that_cannot_be_replaced_is_exit_3_and_the_rest_still_works(demo):
    assert demo("customer", "list").code == 0
    target = demo.root / "customers" / "huaqiang-dianzi.yaml"
    before = snapshot(demo.root)
    with immutable(target):
        assert_one_line(demo(*WRITES["edit"]), 3, "huaqiang-dianzi.yaml", "permission denied")
        assert_one_line(demo("customer", "rm", "huaqiang", "--force"), 3, "permission denied")
        assert snapshot(demo.root) == before
        assert_reads_survive(demo)
        assert demo("log", "jinglian", "call", "other files are fine").code == 0
    assert demo(*WRITES["edit"]).code == 0


def test_a_command_refused_half_way_puts_back_what_it_had_written(demo, tmp_path):
    """`crm contract attach` writes the scan, then the contract: when the contract cannot be
    replaced, the scan already in place is taken back, so the command wrote nothing."""
    assert demo("customer", "list").code == 0
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed\n")
    before = snapshot(demo.root)
    with immutable(demo.root / "contracts" / "CT-20261028-5XQR.yaml"):
        assert_one_line(demo("contract", "attach", "CT-20261028-5XQR", scan), 3, "permission denied")
        assert snapshot(demo.root) == before
        assert not list(demo.root.rglob(".crm-tmp-*")) and not (demo.root / ".crm" / "journal").exists()
    assert demo("contract", "attach", "CT-20261028-5XQR", scan).code == 0
    assert demo("check").code == 0


def test_a_folder_that_cannot_be_written_is_exit_3(demo):
    assert demo("customer", "list").code == 0
    folder = demo.root / "interactions" / "2026" / "11"
    before = snapshot(demo.root)
    with immutable(folder):
        assert_one_line(demo(*WRITES["log"]), 3, "interactions/2026/11", "permission denied")
        assert snapshot(demo.root) == before
    assert demo(*WRITES["log"]).code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: an unreadable one needs an unprivileged user")
def test_a_file_that_cannot_be_read_is_skipped_with_a_warning(demo):
    target = demo.root / "customers" / "hongda-dianqi.yaml"
    target.chmod(0)
    try:
        results = assert_reads_survive(demo, "customers/hongda-dianqi.yaml")
        assert "permission denied" in results["customer"].err.lower()
    finally:
        target.chmod(0o644)


# --------------------------------------------------------------------------- a path with spaces and Chinese

def test_a_data_directory_on_a_path_with_spaces_and_chinese(tmp_path):
    root = tmp_path / "我的 客户 data" / "crm 数据 2026"
    data = DataDir(root)
    assert run_crm("init", root, "--no-git", "--name", "空格 Co", "--me", "li", "--timezone", "Asia/Shanghai").code == 0
    assert data("customer", "add", "深圳市华强电子有限公司", "--city", "深圳").code == 0
    assert data("log", "huaqiang", "call", "路径测试", "--next", "回电", "--due", "+1d").code == 0
    order = data("order", "add", "huaqiang", "--line", "Widget 3 @ 100", "--status", "confirmed")
    assert order.code == 0 and data("pay", order.out.strip(), "50").code == 0
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "简单.md").write_text("{{ party.name }} / {{ business.name }}\n", encoding="utf-8")
    contract = data("contract", "new", "huaqiang", "--template", "简单")
    assert contract.code == 0, contract.err
    for args in (["customer", "list"], ["search", "路径"], ["show", "huaqiang"], ["today"], ["ledger"], ["check"],
                 ["reindex"], ["remind", "due", "--format", "ics"], ["timeline", "--format", "json"]):
        result = data(*args)
        assert result.code == 0 and "Traceback" not in result.err, (args, result.err)
    # the real entry point, finding crm.yaml from a folder inside the data directory, as git finds .git
    inside = root / "interactions"
    env = {key: value for key, value in os.environ.items() if key != "CRM_DIR"}
    found = subprocess.run([sys.executable, "-m", "crmcli", "search", "路径"], cwd=inside, env=env,
                           capture_output=True, text=True, timeout=120)
    assert found.returncode == 0 and "路径测试" in found.stdout, found.stderr
    assert "深圳市华强电子有限公司 / 空格 Co" in next(root.glob("contracts/*.md")).read_text(encoding="utf-8")


def test_a_data_directory_path_is_never_an_option_or_a_shell_command(tmp_path, monkeypatch):
    """`crm init` hands the path to git as an argument, after "--": a relative path like
    "--template=DIR" once made git set up the current folder with DIR's hooks instead."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    evil = tmp_path / "evil"
    (evil / "hooks").mkdir(parents=True)
    (evil / "hooks" / "post-checkout").write_text("#!/bin/sh\ntouch PWNED\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name in (f"--template={evil}", "a;b $(touch PWNED) `touch PWNED`"):
        result = run_crm("init", "--name", "X", "--me", "li", "--", name)
        assert result.code == 0, result.err
        assert (work / name / ".git").is_dir() and (work / name / "crm.yaml").is_file()
    assert not (work / ".git").exists() and not list(tmp_path.rglob("PWNED"))
    assert not list(work.rglob("post-checkout"))
