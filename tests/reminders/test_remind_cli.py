"""`crm remind`: explicit reminders, and the cron contract of `crm remind due`."""

import os
import subprocess
import sys

import pytest

from crmcli.store.lock import writer_lock


def ok(result):
    assert result.code == 0, result.err
    return result.out.strip()


def snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file() and ".crm" not in p.parts}


def test_add_list_show(empty):
    ok(empty("customer", "add", "深圳市华强电子有限公司", "--id", "huaqiang", "--owner", "wang"))
    once = ok(empty("remind", "add", "huaqiang", "寄送2027年价格表", "--due", "+3d"))
    timed = ok(empty("remind", "add", "Board meeting", "--due", "friday 15:00"))
    assert once.startswith("RM-20261122-")
    data = empty.read(f"reminders/{once}.yaml")
    assert (data["party"], data["text"], data["due"], data["owner"], data["status"]) == (
        "customers/huaqiang", "寄送2027年价格表", "2026-11-25", "wang", "open")
    assert empty.read(f"reminders/{timed}.yaml")["due"] == "2026-11-27T15:00:00+08:00"
    listed = empty("remind", "list", "--format", "json").json()
    assert [r["id"] for r in listed] == [once, timed]
    assert [r["id"] for r in empty("remind", "list", "party:huaqiang", "--format", "json").json()] == [once]
    assert "寄送2027年价格表" in ok(empty("remind", "show", once[:14]))


def test_a_repeating_reminder_rolls_on_when_done(empty):
    rent = ok(empty("remind", "add", "Pay office rent", "--due", "2026-11-30", "--every", "1m",
                    "--until", "2027-01-31"))
    assert empty.read(f"reminders/{rent}.yaml")["anchor"] == "2026-11-30"
    ok(empty("remind", "done", rent))
    assert empty.read(f"reminders/{rent}.yaml")["due"] == "2026-12-30"
    ok(empty("--today", "2027-01-05", "remind", "done", rent))
    data = empty.read(f"reminders/{rent}.yaml")
    assert (data["due"], data["status"]) == ("2027-01-30", "open")
    ok(empty("--today", "2027-01-30", "remind", "done", rent))
    data = empty.read(f"reminders/{rent}.yaml")
    assert data["status"] == "done" and [h["status"] for h in data["history"]] == ["done"] * 3


def test_a_missed_repeat_is_not_owed(empty):
    weekly = ok(empty("--today", "2026-10-26", "remind", "add", "Pipeline review", "--due", "today",
                      "--every", "monday"))
    ok(empty("remind", "done", weekly))
    assert empty.read(f"reminders/{weekly}.yaml")["due"] == "2026-11-23"


def test_nth_weekday_starts_on_the_series(empty):
    board = ok(empty("remind", "add", "Board meeting", "--due", "today 10:00", "--every", "3rd monday"))
    data = empty.read(f"reminders/{board}.yaml")
    assert (data["due"], data["anchor"]) == ("2026-12-21T10:00:00+08:00", "2026-12-21")
    ok(empty("remind", "done", board))
    assert empty.read(f"reminders/{board}.yaml")["due"] == "2027-01-18T10:00:00+08:00"


def test_snooze_and_remove(empty):
    rid = ok(empty("remind", "add", "Call back", "--due", "today"))
    ok(empty("remind", "snooze", rid, "+2d"))
    data = empty.read(f"reminders/{rid}.yaml")
    assert data["due"] == "2026-11-24" and data["history"][0]["note"] == "due 2026-11-22 → 2026-11-24"
    ok(empty("remind", "rm", rid))
    assert not (empty.root / "reminders" / f"{rid}.yaml").exists()


@pytest.mark.parametrize("args, says", [
    (["remind", "add", "x", "--due", "someday"], "invalid date 'someday'"),
    (["remind", "add", "x", "--every", "every blursday"], "unknown weekday 'blursday'"),
    (["remind", "add", "x", "--until", "2027-01-01"], "--until only applies"),
    (["remind", "add", "x", "--every", "FREQ=DAILY EXDATE:20261201", "--until", "2027-01-31"], "one rule only"),
    (["remind", "add", "x", "--every", "FREQ=DAILY RRULE:FREQ=WEEKLY"], "one rule only"),
    (["remind", "add", "nobody-here", "x"], "nobody-here"),
    (["remind", "done", "RM-NOPE"], "no reminder with id 'RM-NOPE'"),
    (["remind", "snooze", "RM-20261122", "yesterday"], "in the past"),
    (["remind", "snooze", "RM-20261122", "today 00:01"], "in the past"),
    (["remind", "due", "--within", "soon"], "invalid interval 'soon'"),
])
def test_bad_input_is_one_line_and_writes_nothing(empty, args, says):
    ok(empty("remind", "add", "Call back", "--due", "+1d"))
    before = snapshot(empty.root)
    result = empty(*args)
    assert result.code == 1 and says in result.err and len(result.err.strip().splitlines()) == 1, result.err
    assert snapshot(empty.root) == before


def test_done_twice_is_refused(empty):
    rid = ok(empty("remind", "add", "Once", "--due", "today"))
    ok(empty("remind", "done", rid))
    result = empty("remind", "done", rid)
    assert result.code == 1 and "is done already" in result.err


def crm_process(*args, env=None, **kwargs):
    """The installed entry point as cron runs it: its own process, stdout a pipe, no terminal."""
    full_env = {**os.environ, "TERM": "xterm-256color", **(env or {})}
    return subprocess.run([sys.executable, "-m", "crmcli", *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=full_env, timeout=60, **kwargs)


def test_cron_is_silent_when_nothing_is_due(empty):
    ok(empty("remind", "add", "Later", "--due", "+5d"))
    for extra in ([], ["--fail-if-due"], ["--format", "json"], ["--format", "ics"], ["--mail-to", "x@example.com"]):
        result = crm_process("--data-dir", empty.root, "remind", "due", *extra)
        assert (result.returncode, result.stdout, result.stderr) == (0, "", ""), extra


def test_cron_digest_when_something_is_due(empty):
    ok(empty("remind", "add", "Call [red]Acme[/red] back", "--due", "today"))
    result = crm_process("--data-dir", empty.root, "remind", "due")
    assert result.returncode == 0 and result.stderr == ""
    assert "\x1b[" not in result.stdout and "[red]Acme[/red]" in result.stdout
    assert result.stdout.startswith("Test Co: 1 reminder due 2026-11-22\n\nDue today (1)\n")
    assert crm_process("--data-dir", empty.root, "remind", "due", "--fail-if-due").returncode == 1
    later = crm_process("--data-dir", empty.root, "remind", "due", "--within", "1w", "--format", "json")
    assert [item["reason"] for item in __import__("json").loads(later.stdout)["today"]] == ["Call [red]Acme[/red] back"]


def test_cron_reads_while_a_writer_holds_the_lock(empty):
    ok(empty("remind", "add", "Call back", "--due", "today"))
    with writer_lock(empty.state, empty.root):
        result = crm_process("--data-dir", empty.root, "remind", "due", env={"CRM_LOCK_WAIT": "1"})
    assert result.returncode == 0 and "Call back" in result.stdout


def test_cron_gives_up_on_the_lock_with_exit_3_when_it_must_write(empty):
    """Noting a reached target as announced takes the writers' lock; a held lock makes that exit 3."""
    ok(empty("customer", "add", "Acme"))
    ok(empty("target", "set", "li", "2026-11", "100"))
    ok(empty("order", "add", "acme", "--line", "Widget 2 @ 100", "--status", "confirmed", "--owner", "li"))
    with writer_lock(empty.state, empty.root):
        result = crm_process("--data-dir", empty.root, "remind", "due", env={"CRM_LOCK_WAIT": "1"})
    assert result.returncode == 3 and "locked by another crm process" in result.stderr
    assert "reached target" in ok(empty("remind", "due"))  # not noted as sent, so sent by the next run
