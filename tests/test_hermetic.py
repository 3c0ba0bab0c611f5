"""The test suite itself is hermetic: whatever a fixture's scope, and in any process a test
starts, "today" is the pinned day and the zone the pinned zone, never the machine's.

CI also runs the whole suite with the system clock set to other dates (see `.ci/run`);
these tests say why that can pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from conftest import TODAY, ZONE, DataDir, run_crm
from crmcli import open_repo


@pytest.fixture(scope="session")
def session_day(tmp_path_factory) -> str:
    data = tmp_path_factory.mktemp("session") / "data"
    assert run_crm("init", data, "--no-git", "--name", "Hermetic", "--me", "li").code == 0
    return open_repo(data).clock.today().isoformat()


@pytest.fixture(scope="module")
def module_log(tmp_path_factory) -> DataDir:
    """A data directory where a call was logged while the module was being set up."""
    data = DataDir(tmp_path_factory.mktemp("module") / "data")
    assert run_crm("init", data.root, "--no-git", "--name", "Hermetic", "--me", "li").code == 0
    assert data("customer", "add", "Acme").code == 0
    assert data("log", "acme", "call", "set up", "--next", "call back", "--due", "+2d").code == 0
    return data


def test_a_session_fixture_sees_the_pinned_day(session_day):
    assert session_day == TODAY


def test_the_time_of_day_is_pinned_too_even_under_today(demo):
    """A day alone is taken at the time of day it is now: the pinned moment's in tests, so a
    call logged "now" (or as of --today) is at 18:00 whatever the real hour (it sorted before
    the demo's 09:10 call of the same day when the suite ran after midnight in Shanghai)."""
    for args in ([], ["--today", "2026-11-20"]):
        assert demo(*args, "log", "huaqiang", "note", "pinned").code == 0
        [latest] = demo(*args, "timeline", "--limit", "1", "--format", "json").json()
        assert (latest["summary"], latest["at"][11:19]) == ("pinned", "18:00:00"), args


def test_a_module_fixture_writes_with_the_pinned_day(module_log):
    [logged] = module_log.files("interactions")
    record = module_log.read(logged.relative_to(module_log.root).as_posix())
    assert str(record["created"]).startswith(TODAY) and str(record["next"]["due"]) == "2026-11-24"


def test_the_zone_is_pinned_for_this_process_and_its_children():
    assert os.environ["TZ"] == ZONE and time.strftime("%z") == "+0800"
    child = subprocess.run([sys.executable, "-c", "import time; print(time.strftime('%z'))"],
                           capture_output=True, text=True, check=True)
    assert child.stdout.strip() == "+0800"


def test_a_crm_process_started_by_a_test_runs_on_the_pinned_day(tmp_path):
    data = tmp_path / "data"
    assert run_crm("init", data, "--no-git", "--name", "Hermetic", "--me", "li").code == 0
    shown = subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", data, "remind", "add", "Check", "--due",
                            "today"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    due = subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", data, "remind", "due", "--format", "json"],
                         capture_output=True, text=True)
    assert TODAY in due.stdout, due.stdout


def test_no_user_git_configuration_reaches_the_tests(tmp_path):
    shown = subprocess.run(["git", "config", "--show-origin", "--list"], cwd=tmp_path, capture_output=True,
                           text=True)
    assert [line for line in shown.stdout.splitlines() if not line.startswith("command line:")] == []
