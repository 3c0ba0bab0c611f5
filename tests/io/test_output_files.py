"""Every file crm writes for the user (exports, reports, calendars, vCards, journals) goes
through one writer: whole or not at all. A failure half-way (here: the file size limit of
the process, as a full disk would) leaves the old file as it was, or no file, and no
temporary file beside it."""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2048
"""Bytes a process may write to one file here: less than any of these exports of the demo."""

EXPORTS = {
    "csv": ["export", "csv", "customer", "--output"],
    "xlsx": ["export", "xlsx", "order", "--output"],
    "vcard": ["export", "vcard", "--output"],
    "beancount": ["export", "beancount", "--output"],
    "report": ["ledger", "--output"],
    "calendar": ["remind", "export", "--ics"],
}
SUFFIX = {"xlsx": ".xlsx", "report": ".csv", "calendar": ".ics"}


def _limited():
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG


def _crm(data_dir: Path, *args: str, limited: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if limited:  # CI's coverage of child processes would write its own data file past the limit, and say so
        env = {name: value for name, value in env.items() if not name.startswith("COVERAGE_PROCESS_")}
    return subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, env=env, preexec_fn=_limited if limited else None)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_an_export_that_fails_half_way_leaves_the_old_file_and_nothing_else(demo, tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"file{SUFFIX.get(name, '.txt')}"
    whole = _crm(demo.root, *EXPORTS[name], str(target), limited=False)
    assert whole.returncode == 0, whole.stderr
    assert target.stat().st_size > LIMIT  # the demo's export is bigger than the limit
    target.write_text("the old file\n", encoding="utf-8")

    failed = _crm(demo.root, *EXPORTS[name], str(target), limited=True)

    assert failed.returncode == 1, failed.stderr
    first, *rest = failed.stderr.splitlines()
    assert first == f"crm: {target}: cannot write: File too large"
    # openpyxl's write-only sheets write temporary files of their own, which hit the limit too:
    # Python reports their writers' cleanup ("Exception ignored in …") as it exits
    assert rest == [] or name == "xlsx", failed.stderr
    assert target.read_text(encoding="utf-8") == "the old file\n"
    assert [path.name for path in out.iterdir()] == [target.name]


def test_a_failed_export_to_a_new_file_leaves_no_file(demo, tmp_path):
    (tmp_path / "out").mkdir()
    failed = _crm(demo.root, *EXPORTS["csv"], str(tmp_path / "out" / "customers.csv"), limited=True)
    assert failed.returncode == 1, failed.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_an_export_into_a_missing_folder_is_one_line(demo, tmp_path):
    failed = _crm(demo.root, *EXPORTS["csv"], str(tmp_path / "nowhere" / "customers.csv"), limited=False)
    assert failed.returncode == 1
    assert failed.stderr == f"crm: {tmp_path / 'nowhere' / 'customers.csv'}: cannot write: no such file or directory\n"


def test_an_export_follows_a_link_to_the_file_it_names(demo, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(real)
    assert _crm(demo.root, *EXPORTS["csv"], str(tmp_path / "link.csv"), limited=False).returncode == 0
    assert (tmp_path / "link.csv").is_symlink() and real.read_text(encoding="utf-8").startswith("id,")
